namespace SmartCity.Streams.Operators.Forecasting;

/// <summary>
/// Maps steps to time-of-day and time-of-week slots. A day has at most <see cref="MaxDaySlots"/> slots (5 minutes):
/// finer steps share a slot, so a 1-second step does not make every key carry 604,800 week slots.
/// </summary>
internal sealed class SeasonGrid
{
    public const int MaxDaySlots = 288;

    public SeasonGrid(TimeSpan step)
    {
        StepsPerDay = Math.Max(1, (long)Math.Round(TimeSpan.TicksPerDay / (double)step.Ticks));
        DaySlots = (int)Math.Min(StepsPerDay, MaxDaySlots);
        IsIdentity = DaySlots == StepsPerDay;
        StepsPerSlot = StepsPerDay / (double)DaySlots;
    }

    /// <summary>Steps in one day (the daily season), at least 1.</summary>
    public long StepsPerDay { get; }

    public int DaySlots { get; }

    public int WeekSlots => 7 * DaySlots;

    /// <summary>True when every step has its own slot, so callers may step through slots by adding 1.</summary>
    public bool IsIdentity { get; }

    public double StepsPerSlot { get; }

    public int DaySlot(long step) =>
        IsIdentity ? FlatState.Mod(step, DaySlots) : (int)(Mod(step, StepsPerDay) * DaySlots / StepsPerDay);

    public int WeekSlot(long step) =>
        IsIdentity ? FlatState.Mod(step, WeekSlots) : (int)(Mod(step, 7 * StepsPerDay) * DaySlots / StepsPerDay);

    private static long Mod(long step, long n)
    {
        long r = step % n;
        return r < 0 ? r + n : r;
    }
}
