using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCity.Streams.Batches;
using SmartCity.Streams.Events;
using SmartCity.Streams.State;

namespace SmartCity.Streams.Tests.Events;

public class EventLifecycleTests
{
    private const long Minute = EventTime.MicrosPerMinute;

    [Fact]
    public void A_blip_shorter_than_the_sustain_time_opens_nothing()
    {
        var lifecycle = new EventLifecycle(new EventLifecycleOptions { OpenAfter = TimeSpan.FromMinutes(5) });
        Assert.Equal(EventTransition.None, lifecycle.Observe(0, 0 * Minute, 0.9));
        Assert.Equal(EventTransition.None, lifecycle.Observe(0, 4 * Minute, 0.95));
        Assert.Equal(EventTransition.None, lifecycle.Observe(0, 5 * Minute, 0.7)); // below the open level: the wait starts again
        Assert.Equal(EventTransition.None, lifecycle.Observe(0, 6 * Minute, 0.9));
        Assert.Equal(EventTransition.None, lifecycle.Observe(0, 10 * Minute, 0.9));
        Assert.False(lifecycle.IsOpen(0));
    }

    [Fact]
    public void A_sustained_condition_opens_with_its_onset_as_the_event_time()
    {
        var lifecycle = new EventLifecycle(new EventLifecycleOptions { OpenAfter = TimeSpan.FromMinutes(5) });
        Assert.Equal(EventTransition.None, lifecycle.Observe(3, 10 * Minute, 0.85));
        Assert.Equal(EventTransition.None, lifecycle.Observe(3, 12 * Minute, double.NaN)); // a missing score does not break the run
        Assert.Equal(EventTransition.None, lifecycle.Observe(3, 13 * Minute, 0.97));
        Assert.Equal(EventTransition.Open, lifecycle.Observe(3, 15 * Minute, 0.9));
        Assert.Equal(10 * Minute, lifecycle.OpenedAt(3));
        Assert.Equal(0.97, lifecycle.Peak(3));
        Assert.Equal(EventTransition.Resolve, lifecycle.Observe(3, 16 * Minute, 0.1));
    }

    [Fact]
    public void Without_a_sustain_time_the_first_row_at_the_open_level_opens()
    {
        var lifecycle = new EventLifecycle(new EventLifecycleOptions());
        Assert.Equal(EventTransition.Open, lifecycle.Observe(0, 7, 0.8));
        Assert.Equal(7, lifecycle.OpenedAt(0));
    }

    [Fact]
    public void Negative_durations_are_rejected_with_their_values()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => new EventLifecycle(1, 0, TimeSpan.Zero, TimeSpan.Zero, 1, TimeSpan.FromSeconds(-1)));
        Assert.Contains("openAfter=-00:00:01", error.Message, StringComparison.Ordinal);
        var options = Assert.Throws<PipelineConfigurationException>(() => new EventLifecycleOptions { OpenAfter = TimeSpan.FromSeconds(-1) }.Validate("rule"));
        Assert.Contains("OpenAfter", options.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_from_before_the_sustain_time_existed_restores_with_nothing_pending()
    {
        // The first layout: six arrays, the first one's length leading.
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.WriteArray<bool>([true, false]);
            writer.WriteArray<long>([5, 0]);
            writer.WriteArray<long>([EventTime.MinValue, EventTime.MinValue]);
            writer.WriteArray<long>([EventTime.MinValue, 100]);
            writer.WriteArray<double>([0.9, 0]);
            writer.WriteArray<double>([0.95, 0]);
        }

        stream.Position = 0;
        var lifecycle = new EventLifecycle(new EventLifecycleOptions { OpenAfter = TimeSpan.FromTicks(10) });
        lifecycle.Read(new BinaryReader(stream));

        Assert.True(lifecycle.IsOpen(0));
        Assert.Equal(5, lifecycle.OpenedAt(0));
        Assert.Equal(EventTransition.None, lifecycle.Observe(1, 99, 0.9)); // still cooling down
        Assert.Equal(EventTransition.None, lifecycle.Observe(1, 100, 0.9)); // the run starts here
        Assert.Equal(EventTransition.Open, lifecycle.Observe(1, 101, 0.9));
        Assert.Equal(100, lifecycle.OpenedAt(1));
    }

    [Fact]
    public void Corrupt_state_is_reported()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(-2);
            writer.WriteArray<long>([1, 2, 3]);
            writer.WriteArray<bool>([true]);
            for (var i = 0; i < 3; i++)
            {
                writer.WriteArray<long>([0]);
            }

            writer.WriteArray<double>([0]);
            writer.WriteArray<double>([0]);
        }

        stream.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => new EventLifecycle(new EventLifecycleOptions()).Read(new BinaryReader(stream)));
        Assert.Contains("disagree in length", error.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public Property Transitions_match_a_reference_model_and_survive_a_snapshot_anywhere(int seed)
    {
        var random = new Random(seed);
        var options = new EventLifecycleOptions
        {
            OpenThreshold = 0.8,
            ResolveThreshold = 0.5,
            OpenAfter = TimeSpan.FromTicks(10 * random.Next(4)),
            ResolveAfter = TimeSpan.FromTicks(10 * random.Next(3)),
            Cooldown = TimeSpan.FromTicks(10 * random.Next(3)),
            UpdateDelta = 0.1,
        };
        var rows = new List<(int Key, long Time, double Score)>();
        var clocks = new long[4];
        double[] levels = [double.NaN, 0.2, 0.55, 0.7, 0.8, 0.85, 0.95, 0.99];
        for (var i = 0; i < 120; i++)
        {
            var key = random.Next(clocks.Length);
            clocks[key] += random.Next(3);
            rows.Add((key, clocks[key], levels[random.Next(levels.Length)]));
        }

        var reference = new ReferenceLifecycle(options);
        var expected = rows.ConvertAll(r => reference.Observe(r.Key, r.Time, r.Score));

        var cut = random.Next(rows.Count + 1);
        var first = new EventLifecycle(options);
        var actual = new List<string>(rows.Count);
        for (var i = 0; i < cut; i++)
        {
            actual.Add(Describe(first, rows[i]));
        }

        using var snapshot = new MemoryStream();
        first.Write(new BinaryWriter(snapshot));
        snapshot.Position = 0;
        var second = new EventLifecycle(options);
        second.Read(new BinaryReader(snapshot));
        for (var i = cut; i < rows.Count; i++)
        {
            actual.Add(Describe(second, rows[i]));
        }

        var firstDifference = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
        var difference = firstDifference < rows.Count
            ? FormattableString.Invariant($"; first difference at row {firstDifference} {rows[firstDifference]}: expected {expected[firstDifference]}, got {actual[firstDifference]}")
            : string.Empty;
        return expected.SequenceEqual(actual).Label($"{options}, snapshot after row {cut}{difference}");
    }

    private static string Describe(EventLifecycle lifecycle, (int Key, long Time, double Score) row)
    {
        var transition = lifecycle.Observe(row.Key, row.Time, row.Score);
        return transition == EventTransition.None
            ? "None"
            : FormattableString.Invariant($"{transition} onset {lifecycle.OpenedAt(row.Key)} peak {lifecycle.Peak(row.Key)}");
    }

    /// <summary>The lifecycle written as one explicit state per key (idle, pending, open, cooling down).</summary>
    private sealed class ReferenceLifecycle(EventLifecycleOptions options)
    {
        private readonly Dictionary<int, KeyState> _keys = [];

        public string Observe(int key, long time, double score)
        {
            if (!_keys.TryGetValue(key, out var state))
            {
                _keys[key] = state = new KeyState();
            }

            if (!state.Open)
            {
                var mayStart = time >= state.QuietUntil;
                if (score >= options.OpenThreshold && mayStart)
                {
                    if (state.PendingSince is null)
                    {
                        state.PendingSince = time;
                        state.Peak = score;
                    }

                    state.Peak = Math.Max(state.Peak, score);
                    if (time - state.PendingSince.Value >= EventTime.FromTimeSpan(options.OpenAfter))
                    {
                        state.Open = true;
                        state.Onset = state.PendingSince.Value;
                        state.PendingSince = null;
                        state.BelowSince = null;
                        state.Reported = score;
                        return Event("Open", state);
                    }
                }
                else if (score < options.OpenThreshold)
                {
                    state.PendingSince = null;
                }

                return "None";
            }

            if (double.IsNaN(score) || score >= options.ResolveThreshold)
            {
                state.BelowSince = null;
                if (!double.IsNaN(score))
                {
                    state.Peak = Math.Max(state.Peak, score);
                }

                if (score >= state.Reported + options.UpdateDelta)
                {
                    state.Reported = score;
                    return Event("Update", state);
                }

                return "None";
            }

            state.BelowSince ??= time;
            if (time - state.BelowSince.Value >= EventTime.FromTimeSpan(options.ResolveAfter))
            {
                state.Open = false;
                state.QuietUntil = time + EventTime.FromTimeSpan(options.Cooldown);
                return Event("Resolve", state);
            }

            return "None";
        }

        private static string Event(string transition, KeyState state) =>
            FormattableString.Invariant($"{transition} onset {state.Onset} peak {state.Peak}");

        private sealed class KeyState
        {
            public bool Open { get; set; }

            public long? PendingSince { get; set; }

            public long? BelowSince { get; set; }

            public long QuietUntil { get; set; } = long.MinValue;

            public long Onset { get; set; }

            public double Reported { get; set; }

            public double Peak { get; set; }
        }
    }
}
