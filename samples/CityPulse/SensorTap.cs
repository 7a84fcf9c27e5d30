using System.Runtime.InteropServices;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators;

namespace CityPulse;

/// <summary>
/// A pass-through operator that copies one column of a few sensors (from a given time on) into a
/// <see cref="SeriesCapture"/>: the pipeline is linear, so this is how an intermediate result (here the 1-minute
/// windows) is observed while the chain goes on.
/// </summary>
internal sealed class SensorTap(string name, string column, SeriesCapture capture, long from) : StreamOperator(name)
{
    public string Column { get; } = column;

    public SeriesCapture Capture { get; } = capture;

    public long From { get; } = from;

    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Require(Column, ColumnType.Float64, Name);
        return input;
    }

    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private sealed class Instance(OperatorContext context, SensorTap definition) : OperatorInstance(context)
    {
        private readonly int _column = context.InputSchema.Require(definition.Column, ColumnType.Float64, definition.Name);
        private readonly List<(long, long, double)> _points = [];

        // Tapped or not, by dense key: the per-row test is an array read rather than a lookup of the raw id.
        private bool[] _tapped = [];
        private int _known;

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            var keys = batch.Keys;
            var times = batch.Times;
            var values = batch.GetDoubles(_column);
            Learn(batch.KeyIndex);
            _points.Clear();
            for (var i = 0; i < keys.Length; i++)
            {
                if (_tapped[keys[i]] && times[i] >= definition.From)
                {
                    _points.Add((batch.KeyIndex[keys[i]].Number, times[i], values[i]));
                }
            }

            if (_points.Count > 0)
            {
                definition.Capture.Add(CollectionsMarshal.AsSpan(_points));
            }

            output.Emit(batch);
        }

        private void Learn(KeyIndex index)
        {
            if (index.Count == _known)
            {
                return;
            }

            if (index.Count > _tapped.Length)
            {
                Array.Resize(ref _tapped, Math.Max(index.Count, _tapped.Length * 2));
            }

            for (var k = _known; k < index.Count; k++)
            {
                var id = index[k];
                _tapped[k] = !id.IsString && definition.Capture.Contains(id.Number);
            }

            _known = index.Count;
        }
    }
}
