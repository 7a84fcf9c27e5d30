namespace SmartCity.Streams.Operators.Windowing;

/// <summary>Count and sum only: 16 bytes per slot keep the hot working set small (count + mean workloads).</summary>
internal struct SimpleState
{
    public long Count;
    public double Sum;
}
