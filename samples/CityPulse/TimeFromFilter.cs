using SmartCity.Streams.Batches;
using SmartCity.Streams.Operators;

namespace CityPulse;

/// <summary>
/// Drops the rows before a time. The window pass only reports the reported period, so the week of history (which the
/// detectors and forecasters need, the windows do not) is dropped before it costs any window work.
/// </summary>
internal sealed class TimeFromFilter(string name, long from) : StreamOperator(name)
{
    public long From { get; } = from;

    public override BatchSchema GetOutputSchema(BatchSchema input) => input;

    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private sealed class Instance(OperatorContext context, TimeFromFilter definition) : OperatorInstance(context)
    {
        private readonly RowSelection _selection = new(context.InputSchema, context.KeyIndex);

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            var times = batch.Times;
            if (AllFrom(times))
            {
                output.Emit(batch);
                return;
            }

            var rows = _selection.GetBuffer(times.Length);
            var count = 0;
            for (var i = 0; i < times.Length; i++)
            {
                if (times[i] >= definition.From)
                {
                    rows[count++] = i;
                }
            }

            if (count > 0)
            {
                output.Emit(_selection.Apply(batch, count));
            }
        }

        private bool AllFrom(ReadOnlySpan<long> times)
        {
            foreach (var t in times)
            {
                if (t < definition.From)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
