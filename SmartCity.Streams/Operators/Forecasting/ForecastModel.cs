namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// One forecasting model over all keys. The driver calls <see cref="Step"/> once per closed step with every key's value
/// (NaN when the key had no reading), so a model loops over keys inside one call and can read neighbours.
/// </summary>
/// <remarks>
/// A horizon-invariant model (<see cref="IsHorizonInvariant"/>) forecasts a target step the same way from every issue
/// step within the horizon, except for a per-key fallback when it has no opinion. The driver then calls
/// <see cref="StepInvariant"/> instead of <see cref="Step"/>: the model issues only the one new forecast of the step
/// (for step + H), and the driver keeps forecasts by target and expands them to H horizons only when they are read.
/// </remarks>
internal abstract class ForecastModel
{
    protected ForecastModel(int horizon) => Horizon = horizon;

    /// <summary>True when <see cref="StepInvariant"/> and <see cref="Fallback"/> replace <see cref="Step"/>.</summary>
    public virtual bool IsHorizonInvariant => false;

    protected int Horizon { get; }

    public abstract void EnsureCapacity(int keys);

    /// <summary>Learns from <paramref name="values"/> of step <paramref name="step"/> and writes forecasts for steps step+1..step+H to <paramref name="forecasts"/>[k*H + h-1]; unknown forecasts may be NaN, the driver falls back.</summary>
    public abstract void Step(long step, ReadOnlySpan<double> values, int keyCount, Span<double> forecasts);

    /// <summary>
    /// Learns from <paramref name="values"/> of step <paramref name="step"/> and writes the forecast for step + H of every
    /// key to <paramref name="target"/>[k]: NaN where the model has no opinion of its own, finite otherwise. Forecasts
    /// for steps step+1..step+H-1 must equal those written when those steps were step + H.
    /// </summary>
    public virtual void StepInvariant(long step, ReadOnlySpan<double> values, int keyCount, Span<double> target) =>
        throw new NotSupportedException("Only horizon-invariant models step by target.");

    /// <summary>
    /// Forecast for <paramref name="target"/> of <paramref name="key"/> as of the last step, where the forecast by target
    /// was NaN (rare: the model had no opinion of its own); NaN before the key had a value.
    /// </summary>
    public virtual double Fallback(int key, long target) =>
        throw new NotSupportedException("Only horizon-invariant models have a per-key fallback.");

    public abstract void Write(BinaryWriter writer, int keyCount);

    public abstract void Read(BinaryReader reader);

    /// <summary>Re-lays a row-major array [row * capacity + key] out for a larger capacity; new key slots get <paramref name="fill"/>.</summary>
    internal static T[] GrowRows<T>(T[] array, int rows, int oldCapacity, int newCapacity, T fill)
    {
        var grown = new T[rows * newCapacity];
        for (int r = 0; r < rows; r++)
        {
            Span<T> to = grown.AsSpan(r * newCapacity, newCapacity);
            if (oldCapacity > 0)
            {
                array.AsSpan(r * oldCapacity, oldCapacity).CopyTo(to);
            }

            to[oldCapacity..].Fill(fill);
        }

        return grown;
    }

    /// <summary>Writes the first <paramref name="keyCount"/> keys of every row, so the bytes do not depend on the capacity.</summary>
    internal static void WriteRows(BinaryWriter writer, double[] array, int rows, int capacity, int keyCount)
    {
        writer.Write(rows);
        writer.Write(keyCount);
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < keyCount; k++)
            {
                writer.Write(array[(r * capacity) + k]);
            }
        }
    }

    /// <summary>Reads what <see cref="WriteRows(BinaryWriter, double[], int, int, int)"/> wrote into an array already grown to <paramref name="capacity"/>; other slots get <paramref name="fill"/>.</summary>
    internal static void ReadRows(BinaryReader reader, double[] array, int rows, int capacity, double fill)
    {
        int keyCount = ReadShape(reader, rows, capacity);
        array.AsSpan(0, rows * capacity).Fill(fill);
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < keyCount; k++)
            {
                array[(r * capacity) + k] = reader.ReadDouble();
            }
        }
    }

    /// <summary>Byte rows, as <see cref="WriteRows(BinaryWriter, double[], int, int, int)"/>.</summary>
    internal static void WriteRows(BinaryWriter writer, byte[] array, int rows, int capacity, int keyCount)
    {
        writer.Write(rows);
        writer.Write(keyCount);
        for (int r = 0; r < rows; r++)
        {
            writer.Write(array, r * capacity, keyCount);
        }
    }

    internal static void ReadRows(BinaryReader reader, byte[] array, int rows, int capacity)
    {
        int keyCount = ReadShape(reader, rows, capacity);
        array.AsSpan(0, rows * capacity).Clear();
        for (int r = 0; r < rows; r++)
        {
            byte[] row = reader.ReadBytes(keyCount);
            if (row.Length != keyCount)
            {
                throw new EndOfStreamException("The forecaster state ends inside a row.");
            }

            row.CopyTo(array, r * capacity);
        }
    }

    private static int ReadShape(BinaryReader reader, int rows, int capacity)
    {
        int written = reader.ReadInt32();
        int keyCount = reader.ReadInt32();
        if (written != rows || keyCount < 0 || keyCount > capacity)
        {
            throw new InvalidDataException("The forecaster state holds rows of another shape.");
        }

        return keyCount;
    }
}
