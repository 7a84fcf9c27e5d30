using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators;
using SmartCity.Streams.State;

namespace CustomOperator;

/// <summary>
/// The worked example of docs/custom-operators.md: per car park, a LowAvailability risk while the share of
/// free spaces is low, and a FreeSpaces opportunity when it recovers. Definition (immutable, validated) and
/// instance (per lane, owns flat per-key state) as every built-in operator. The test project references this
/// sample, so the same code is checked by ParkingAvailabilityOperatorTests and OperatorContractTests.
/// </summary>
public sealed class ParkingAvailabilityOperator : StreamOperator
{
    public ParkingAvailabilityOperator(string name, string freeShareColumn, double lowAt = 0.05, double freeAt = 0.20)
        : base(name)
    {
        if (!(lowAt > 0 && lowAt < freeAt && freeAt < 1))
        {
            throw new PipelineConfigurationException($"Parking operator '{name}': need 0 < lowAt < freeAt < 1, got lowAt={lowAt}, freeAt={freeAt}.");
        }

        FreeShareColumn = freeShareColumn;
        LowAt = lowAt;
        FreeAt = freeAt;
    }

    public string FreeShareColumn { get; }

    public double LowAt { get; }

    public double FreeAt { get; }

    // Build-time check: the column must exist and be Float64. The operator forwards its input unchanged.
    public override BatchSchema GetOutputSchema(BatchSchema input)
    {
        input.Require(FreeShareColumn, ColumnType.Float64, Name);
        return input;
    }

    public override OperatorInstance CreateInstance(OperatorContext context) => new Instance(context, this);

    private sealed class Instance : OperatorInstance
    {
        private readonly int _column;
        private readonly string _name;

        // Hysteresis on the *negated* share: "low" opens below LowAt and resolves above FreeAt.
        private readonly EventLifecycle _low;

        public Instance(OperatorContext context, ParkingAvailabilityOperator definition)
            : base(context)
        {
            _name = definition.Name;
            _column = context.InputSchema.Require(definition.FreeShareColumn, ColumnType.Float64, definition.Name);
            _low = new EventLifecycle(-definition.LowAt, -definition.FreeAt, TimeSpan.Zero, TimeSpan.FromMinutes(10), updateDelta: double.PositiveInfinity);
        }

        protected override void OnBatch(StreamBatch batch, OperatorOutput output)
        {
            var keys = batch.Keys;
            var times = batch.Times;
            var share = batch.GetDoubles(_column);
            for (var i = 0; i < keys.Length; i++)
            {
                if (double.IsNaN(share[i]))
                {
                    Context.Counters.AddSkipped(1);
                    continue;
                }

                var transition = _low.Observe(keys[i], times[i], -share[i]);
                if (transition == EventTransition.Open)
                {
                    output.Emit(new CityEvent(EventKind.Risk, EventCategory.Custom, EventPhase.Open, batch.KeyIndex[keys[i]],
                        times[i], times[i], 0, 1 - share[i], share[i], double.NaN, _name));
                }
                else if (transition == EventTransition.Resolve)
                {
                    // The shortage is over: resolve the risk and announce the opportunity.
                    var sensor = batch.KeyIndex[keys[i]];
                    output.Emit(new CityEvent(EventKind.Risk, EventCategory.Custom, EventPhase.Resolve, sensor,
                        _low.OpenedAt(keys[i]), times[i], 0, 0, share[i], double.NaN, _name));
                    output.Emit(new CityEvent(EventKind.Opportunity, EventCategory.Custom, EventPhase.Open, sensor,
                        times[i], times[i], 0, share[i], share[i], double.NaN, _name));
                }
            }

            output.Emit(batch);
        }

        protected override void WriteState(BinaryWriter writer) => _low.Write(writer);

        protected override void ReadState(BinaryReader reader, int version) => _low.Read(reader);
    }
}
