using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Internal;

namespace SmartCity.Streams.Sources;

/// <summary>
/// A deterministic synthetic city: road sensors along corridors reporting speed (km/h), occupancy (0..1) and
/// flow (vehicles/h) at a fixed interval, with daily and weekly seasonality (rush hours, quiet weekends), noise,
/// injected traffic incidents whose queue slows the sensors behind the site, and injected sensor faults
/// (stuck values, silences, out-of-range spikes). The ground truth (<see cref="Incidents"/>, <see cref="Faults"/>,
/// <see cref="Network"/>) lets tests and samples score what a pipeline detects.
/// </summary>
/// <remarks>
/// <para>Every reading is a pure function of the options, the sensor and the tick (noise is hashed, not drawn
/// from a sequential generator), so the data is identical whatever the batch size or partition count.</para>
/// <para>Columns: sensor (Int64, ids 0..N-1), time (Timestamp µs UTC), speed, occupancy, flow (Double). Rows are
/// in time order within a partition. Column buffers are recycled when the pipeline releases a batch.</para>
/// </remarks>
public sealed class SyntheticCitySource : BatchSource
{
    private const int Buckets = 16;
    private const int Groups = 2 * Buckets;
    private const int NormalBits = 12;
    private const int NormalMask = (1 << NormalBits) - 1;
    private const byte NoFault = 0;
    private const byte StuckFault = 1;
    private const byte SilentFault = 2;
    private const byte SpikeFault = 3;

    private readonly SyntheticCityOptions _options;
    private readonly Schema _schema;
    private readonly TimestampType _timeType = new(TimeUnit.Microsecond, "UTC");
    private readonly long _start;
    private readonly long _interval;
    private readonly long _ticks;
    private readonly ulong _seed;

    // Per sensor, structure of arrays.
    private readonly double[] _freeSpeed;
    private readonly double[] _capacity;
    private readonly int[] _group;
    private readonly ulong[] _salt;
    private readonly double[] _impact;
    private readonly byte[] _fault;
    private readonly bool[] _stuckHeld;
    private readonly double[] _stuck;
    private readonly (int Incident, double Factor)[][] _incidentsAt;

    private readonly double[] _normal = new double[1 << NormalBits];
    private readonly PartitionState[] _partitions;
    private readonly ManagedBufferPool _pool;
    private readonly SyntheticIncident[] _incidents;
    private readonly SyntheticFault[] _faults;
    private int _nextPartition;
    private long _rows;
    private SourceBatch _current;

    /// <summary>Creates the city; all incidents and faults are planned here, from the seed.</summary>
    public SyntheticCitySource(SyntheticCityOptions? options = null)
    {
        _options = options ?? new SyntheticCityOptions();
        _options.Validate();
        _seed = Hashing.Mix(_options.Seed ^ 0x5EED5EED5EED5EEDUL);
        _start = EventTime.FromDateTimeOffset(_options.Start);
        _interval = EventTime.FromTimeSpan(_options.Interval);
        _ticks = EventTime.FromTimeSpan(_options.Duration) / _interval;
        var n = _options.Sensors;
        Network = new RoadNetwork(n, _options.SensorsPerCorridor);

        _schema = new Schema.Builder()
            .Field(f => f.Name(_options.SensorColumn).DataType(Int64Type.Default).Nullable(false))
            .Field(f => f.Name(_options.TimeColumn).DataType(_timeType).Nullable(false))
            .Field(f => f.Name(_options.SpeedColumn).DataType(DoubleType.Default).Nullable(false))
            .Field(f => f.Name(_options.OccupancyColumn).DataType(DoubleType.Default).Nullable(false))
            .Field(f => f.Name(_options.FlowColumn).DataType(DoubleType.Default).Nullable(false))
            .Build();

        _freeSpeed = new double[n];
        _capacity = new double[n];
        _group = new int[n];
        _salt = new ulong[n];
        _impact = new double[n];
        _fault = new byte[n];
        _stuckHeld = new bool[n];
        _stuck = new double[n * 3];
        System.Array.Fill(_impact, 1.0);
        BuildSensors();
        BuildNormalTable();

        var rng = new SplitMix(_seed ^ 0xC0FFEEUL);
        _incidents = PlanIncidents(ref rng);
        _faults = PlanFaults(ref rng);
        _incidentsAt = IndexIncidents();

        _partitions = BuildPartitions();
        var rows = _options.BatchSize;
        _pool = new ManagedBufferPool(rows * 8, rows * 8, rows * 8, rows * 8, rows * 8);
    }

    /// <summary>The options the city was built from.</summary>
    public SyntheticCityOptions Options => _options;

    /// <summary>The road graph (sensor ids 0..N-1).</summary>
    public RoadNetwork Network { get; }

    /// <summary>Injected traffic incidents, ordered by start.</summary>
    public IReadOnlyList<SyntheticIncident> Incidents => _incidents;

    /// <summary>Injected sensor faults, ordered by start.</summary>
    public IReadOnlyList<SyntheticFault> Faults => _faults;

    /// <summary>Number of readings per sensor (ticks).</summary>
    public long Ticks => _ticks;

    /// <summary>Rows generated so far.</summary>
    public long RowsGenerated => _rows;

    /// <inheritdoc />
    public override int PartitionCount => _options.Partitions;

    /// <inheritdoc />
    public override bool PartitionsByKey => true;

    /// <inheritdoc />
    public override Schema Schema => _schema;

    /// <inheritdoc />
    public override SourceBatch Current => _current;

    /// <summary>The partition a sensor's readings are in (the engine's lane for that key when lanes = partitions).</summary>
    public int PartitionOf(long sensor) => Hashing.Lane(Hashing.Mix((ulong)sensor), _options.Partitions);

    /// <summary>The time of tick <paramref name="tick"/>, microseconds since the epoch.</summary>
    public long TimeOf(long tick) => _start + (tick * _interval);

    /// <inheritdoc />
    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default) => new(MoveNext());

    /// <summary>Synchronous <see cref="MoveNextAsync"/>: generates the next batch.</summary>
    public bool MoveNext()
    {
        for (var attempt = 0; attempt < _partitions.Length; attempt++)
        {
            var index = _nextPartition;
            _nextPartition = (_nextPartition + 1) % _partitions.Length;
            var partition = _partitions[index];
            if (partition.Tick >= _ticks || partition.Sensors.Length == 0)
            {
                continue;
            }

            var set = _pool.Rent();
            var rows = Fill(partition, set);
            if (rows == 0)
            {
                continue;
            }

            var batch = new RecordBatch(_schema,
            [
                new Int64Array(new ArrowBuffer(set[0].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0),
                new TimestampArray(_timeType, new ArrowBuffer(set[1].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0),
                new DoubleArray(new ArrowBuffer(set[2].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0),
                new DoubleArray(new ArrowBuffer(set[3].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0),
                new DoubleArray(new ArrowBuffer(set[4].AsMemory(0, rows * 8)), ArrowBuffer.Empty, rows, 0, 0),
            ], rows);
            _pool.Lend(batch, set);
            _rows += rows;
            partition.Batches++;
            _current = new SourceBatch(batch, index, partition.Batches);
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public override void Release(in SourceBatch batch)
    {
        _pool.Return(batch.Batch);
        batch.Batch.Dispose();
    }

    private int Fill(PartitionState p, byte[][] set)
    {
        var keys = MemoryMarshal.Cast<byte, long>(set[0].AsSpan());
        var times = MemoryMarshal.Cast<byte, long>(set[1].AsSpan());
        var speeds = MemoryMarshal.Cast<byte, double>(set[2].AsSpan());
        var occupancies = MemoryMarshal.Cast<byte, double>(set[3].AsSpan());
        var flows = MemoryMarshal.Cast<byte, double>(set[4].AsSpan());
        var capacity = _options.BatchSize;
        var sensors = p.Sensors;
        var normal = _normal;
        var noise = _options.NoiseLevel;
        var speedNoise = 2.5 * noise;
        var occupancyNoise = 0.008 * noise;
        var flowNoise = 0.05 * noise;
        var rows = 0;
        while (rows < capacity && p.Tick < _ticks)
        {
            var time = _start + (p.Tick * _interval);
            if (!p.TickReady)
            {
                PrepareTick(p, time);
            }

            var tickSalt = Hashing.Mix(_seed ^ ((ulong)p.Tick * 0x9E3779B97F4A7C15UL));
            var sf = p.SpeedFraction;
            var occ = p.Occupancy;
            var flowFraction = p.FlowFraction;
            var pos = p.Position;
            for (; pos < sensors.Length && rows < capacity; pos++)
            {
                var s = sensors[pos];
                var g = _group[s];
                var h = Hashing.Mix(tickSalt ^ _salt[s]);
                var speed = (_freeSpeed[s] * sf[g]) + (speedNoise * normal[(int)h & NormalMask]);
                var occupancy = occ[g] + (occupancyNoise * normal[(int)(h >> 12) & NormalMask]);
                var flow = _capacity[s] * flowFraction[g] * (1.0 + (flowNoise * normal[(int)(h >> 24) & NormalMask]));
                if (_impact[s] != 1.0 || _fault[s] != NoFault)
                {
                    if (!ApplySpecial(s, h, ref speed, ref occupancy, ref flow))
                    {
                        continue;
                    }
                }
                else
                {
                    speed = Math.Max(speed, 1.0);
                    occupancy = Math.Clamp(occupancy, 0.0, 1.0);
                    flow = Math.Max(flow, 0.0);
                }

                keys[rows] = s;
                times[rows] = time;
                speeds[rows] = speed;
                occupancies[rows] = occupancy;
                flows[rows] = flow;
                rows++;
            }

            p.Position = pos;
            if (pos == sensors.Length)
            {
                p.Position = 0;
                p.Tick++;
                p.TickReady = false;
            }
        }

        return rows;
    }

    /// <summary>Incidents and faults; false when the reading is silenced.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ApplySpecial(int s, ulong h, ref double speed, ref double occupancy, ref double flow)
    {
        var impact = _impact[s];
        if (impact != 1.0)
        {
            speed *= impact;
            occupancy += (1.0 - impact) * 0.6;
            flow *= 0.4 + (0.6 * impact);
        }

        speed = Math.Max(speed, 1.0);
        occupancy = Math.Clamp(occupancy, 0.0, 0.98);
        flow = Math.Max(flow, 0.0);
        switch (_fault[s])
        {
            case SilentFault:
                return false;
            case StuckFault:
                if (!_stuckHeld[s])
                {
                    _stuck[3 * s] = speed;
                    _stuck[(3 * s) + 1] = occupancy;
                    _stuck[(3 * s) + 2] = flow;
                    _stuckHeld[s] = true;
                }

                speed = _stuck[3 * s];
                occupancy = _stuck[(3 * s) + 1];
                flow = _stuck[(3 * s) + 2];
                break;
            case SpikeFault:
                var high = (h & (1UL << 40)) != 0;
                speed = high ? 300.0 + (h >> 56) : -1.0 - ((h >> 58) & 7);
                occupancy = high ? 1.5 : -0.2;
                flow = high ? 30_000.0 : -100.0;
                break;
        }

        return true;
    }

    private void PrepareTick(PartitionState p, long time)
    {
        var events = p.Events;
        while (p.EventCursor < events.Length && events[p.EventCursor].Time <= time)
        {
            var e = events[p.EventCursor++];
            switch (e.Kind)
            {
                case ChangeKind.FaultEnd:
                    _fault[e.Sensor] = NoFault;
                    break;
                case ChangeKind.FaultStart:
                    _fault[e.Sensor] = (byte)(_faults[e.Reference].Kind + 1);
                    _stuckHeld[e.Sensor] = false;
                    break;
                default:
                    _impact[e.Sensor] = ImpactAt(e.Sensor, time);
                    break;
            }
        }

        var day = Math.Floor((double)time / EventTime.MicrosPerDay);
        var hour = (time - (day * EventTime.MicrosPerDay)) / EventTime.MicrosPerHour;
        var dayOfWeek = (int)(((long)day + 4) % 7); // 1970-01-01 was a Thursday; 0 = Sunday as in DayOfWeek.
        if (dayOfWeek < 0)
        {
            dayOfWeek += 7;
        }

        for (var direction = 0; direction < 2; direction++)
        {
            var demand = Demand(direction, dayOfWeek, hour);
            for (var b = 0; b < Buckets; b++)
            {
                var g = (direction * Buckets) + b;
                var x = demand * BucketScale(b);
                var x2 = x * x;
                var sf = 1.0 / (1.0 + (0.5 * x2 * x2 * x2));
                p.SpeedFraction[g] = sf;
                p.Occupancy[g] = Math.Min(0.95, 0.1 * x / sf);
                p.FlowFraction[g] = x <= 1.0 ? x : Math.Max(0.6, 1.0 - (0.4 * (x - 1.0)));
            }
        }

        p.TickReady = true;
    }

    /// <summary>Demand as a fraction of capacity before the sensor's own scale: rush hours on weekdays, a midday hump at weekends.</summary>
    private static double Demand(int direction, int dayOfWeek, double hour)
    {
        static double Bump(double h, double centre, double width)
        {
            var z = (h - centre) / width;
            return Math.Exp(-0.5 * z * z);
        }

        return dayOfWeek switch
        {
            0 => 0.07 + (0.45 * Bump(hour, 14.0, 3.5)),
            6 => 0.08 + (0.60 * Bump(hour, 13.5, 3.5)),
            _ => 0.10 + (0.45 * Bump(hour, 13.0, 3.5))
                + ((direction == 0 ? 1.0 : 0.6) * Bump(hour, 8.0, 1.1))
                + ((direction == 0 ? 0.6 : 1.0) * Bump(hour, 17.5, 1.4)),
        };
    }

    private static double BucketScale(int bucket) => 0.6 + (0.5 * (bucket + 0.5) / Buckets);

    private double ImpactAt(int sensor, long time)
    {
        var impact = 1.0;
        foreach (var (incident, factor) in _incidentsAt[sensor])
        {
            var i = _incidents[incident];
            if (i.Start <= time && time < i.End)
            {
                impact = Math.Min(impact, factor);
            }
        }

        return impact;
    }

    private void BuildSensors()
    {
        var perCorridor = _options.SensorsPerCorridor;
        for (var s = 0; s < _freeSpeed.Length; s++)
        {
            var corridor = s / perCorridor;
            var corridorHash = Hashing.Mix(_seed ^ (0xC0DEUL + (ulong)corridor));
            var highway = (corridorHash & 0xFF) < 77; // about 30 % of corridors are highways
            var sensorHash = Hashing.Mix(_seed ^ (0xABCDEF00UL + (ulong)s));
            var jitter = 0.9 + (0.2 * Unit(sensorHash));
            _freeSpeed[s] = (highway ? 100.0 + (20.0 * Unit(Hashing.Mix(corridorHash))) : 45.0 + (15.0 * Unit(Hashing.Mix(corridorHash)))) * jitter;
            _capacity[s] = (highway ? 3 : 2) * 1_800.0;
            var bucket = (int)(Unit(Hashing.Mix(sensorHash)) * Buckets);
            _group[s] = ((corridor & 1) * Buckets) + Math.Min(bucket, Buckets - 1);
            _salt[s] = Hashing.Mix(sensorHash ^ 0x5A17UL);
        }
    }

    private void BuildNormalTable()
    {
        var rng = new SplitMix(_seed ^ 0x4E4F524DUL);
        for (var i = 0; i < _normal.Length; i += 2)
        {
            // Box-Muller: two independent standard normals per pair of uniforms.
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            var r = Math.Sqrt(-2.0 * Math.Log(u1));
            _normal[i] = r * Math.Cos(2 * Math.PI * u2);
            _normal[i + 1] = r * Math.Sin(2 * Math.PI * u2);
        }
    }

    private SyntheticIncident[] PlanIncidents(ref SplitMix rng)
    {
        var days = _options.Duration.TotalDays;
        var minTicks = Math.Max(1, EventTime.FromTimeSpan(_options.IncidentMinDuration) / _interval);
        var maxTicks = Math.Max(minTicks, EventTime.FromTimeSpan(_options.IncidentMaxDuration) / _interval);
        var count = Count(ref rng, _options.IncidentsPerSensorDay * _options.Sensors * days);
        var result = new List<SyntheticIncident>(count);
        if (_ticks <= minTicks)
        {
            return [];
        }

        for (var k = 0; k < count; k++)
        {
            var sensor = rng.NextInt(_options.Sensors);
            var startTick = rng.NextLong(_ticks - minTicks);
            var endTick = Math.Min(_ticks, startTick + minTicks + rng.NextLong(maxTicks - minTicks + 1));
            var factor = 0.2 + (0.3 * rng.NextDouble());
            var affected = new List<long> { sensor };
            var up = Network.Upstream(sensor);
            while (up >= 0 && affected.Count <= _options.IncidentSpread)
            {
                affected.Add(up);
                up = Network.Upstream(up);
            }

            result.Add(new SyntheticIncident(sensor, TimeOf(startTick), TimeOf(endTick), factor, affected));
        }

        result.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return [.. result];
    }

    private SyntheticFault[] PlanFaults(ref SplitMix rng)
    {
        var count = Count(ref rng, _options.FaultsPerSensorDay * _options.Sensors * _options.Duration.TotalDays);
        var result = new List<SyntheticFault>(count);
        var minute = Math.Max(1, EventTime.MicrosPerMinute / _interval);
        for (var k = 0; k < count; k++)
        {
            var sensor = rng.NextInt(_options.Sensors);
            var kind = (SensorFaultKind)rng.NextInt(3);
            var ticks = kind switch
            {
                SensorFaultKind.Stuck => (30 + rng.NextLong(91)) * minute,
                SensorFaultKind.Silence => (10 + rng.NextLong(51)) * minute,
                _ => 1 + rng.NextLong(3),
            };
            if (_ticks <= 1)
            {
                break;
            }

            var startTick = 1 + rng.NextLong(_ticks - 1); // a fault needs a healthy reading before it to be a change
            var fault = new SyntheticFault(sensor, TimeOf(startTick), TimeOf(Math.Min(_ticks, startTick + ticks)), kind);
            if (!result.Exists(f => f.Sensor == sensor && f.Start < fault.End + _interval && fault.Start < f.End + _interval))
            {
                result.Add(fault);
            }
        }

        result.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return [.. result];
    }

    private static int Count(ref SplitMix rng, double expected)
    {
        var whole = Math.Floor(expected);
        return (int)whole + (rng.NextDouble() < expected - whole ? 1 : 0);
    }

    private (int, double)[][] IndexIncidents()
    {
        var lists = new List<(int, double)>?[_options.Sensors];
        for (var i = 0; i < _incidents.Length; i++)
        {
            var incident = _incidents[i];
            var spread = incident.AffectedSensors.Count;
            for (var hop = 0; hop < spread; hop++)
            {
                var factor = incident.SpeedFactor + ((1.0 - incident.SpeedFactor) * hop / (_options.IncidentSpread + 1.0));
                (lists[incident.AffectedSensors[hop]] ??= []).Add((i, factor));
            }
        }

        var result = new (int, double)[_options.Sensors][];
        for (var s = 0; s < result.Length; s++)
        {
            result[s] = lists[s] is { } l ? [.. l] : [];
        }

        return result;
    }

    private PartitionState[] BuildPartitions()
    {
        var count = _options.Partitions;
        var sensors = new List<int>[count];
        var events = new List<Change>[count];
        for (var p = 0; p < count; p++)
        {
            sensors[p] = [];
            events[p] = [];
        }

        for (var s = 0; s < _options.Sensors; s++)
        {
            sensors[PartitionOf(s)].Add(s);
        }

        for (var i = 0; i < _incidents.Length; i++)
        {
            foreach (var sensor in _incidents[i].AffectedSensors)
            {
                var p = PartitionOf(sensor);
                events[p].Add(new Change(_incidents[i].Start, (int)sensor, ChangeKind.Incident, i));
                events[p].Add(new Change(_incidents[i].End, (int)sensor, ChangeKind.Incident, i));
            }
        }

        for (var i = 0; i < _faults.Length; i++)
        {
            var p = PartitionOf(_faults[i].Sensor);
            events[p].Add(new Change(_faults[i].Start, (int)_faults[i].Sensor, ChangeKind.FaultStart, i));
            events[p].Add(new Change(_faults[i].End, (int)_faults[i].Sensor, ChangeKind.FaultEnd, i));
        }

        var result = new PartitionState[count];
        for (var p = 0; p < count; p++)
        {
            events[p].Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Kind.CompareTo(b.Kind));
            result[p] = new PartitionState([.. sensors[p]], [.. events[p]]);
        }

        return result;
    }

    private static double Unit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    private enum ChangeKind : byte
    {
        FaultEnd,
        FaultStart,
        Incident,
    }

    private readonly record struct Change(long Time, int Sensor, ChangeKind Kind, int Reference);

    private sealed class PartitionState(int[] sensors, Change[] events)
    {
        public int[] Sensors { get; } = sensors;

        public Change[] Events { get; } = events;

        public double[] SpeedFraction { get; } = new double[Groups];

        public double[] Occupancy { get; } = new double[Groups];

        public double[] FlowFraction { get; } = new double[Groups];

        public long Tick { get; set; }

        public int Position { get; set; }

        public int EventCursor { get; set; }

        public bool TickReady { get; set; }

        public long Batches { get; set; }
    }

    /// <summary>SplitMix64: a tiny, fast, seedable generator for planning (not for security).</summary>
    private struct SplitMix(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            _state += 0x9E3779B97F4A7C15UL;
            return Hashing.Mix(_state);
        }

        public double NextDouble() => Unit(Next());

        public int NextInt(int bound) => (int)NextLong(bound);

        public long NextLong(long bound) => bound <= 0 ? 0 : (long)(Next() % (ulong)bound);
    }
}
