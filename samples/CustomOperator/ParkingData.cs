using Apache.Arrow;
using Apache.Arrow.Types;

namespace CustomOperator;

/// <summary>
/// A day of occupancy readings for a few car parks, every 5 minutes: the share of free spaces follows each car
/// park's daily pattern (commuters, shoppers, evening events) plus noise, from a fixed seed so runs repeat.
/// </summary>
internal static class ParkingData
{
    public static readonly (int Id, string Name, int Spaces, double[] PeakHours, double PeakFill)[] CarParks =
    [
        (1, "Central Station P+R", 800, [8.5], 0.99),
        (2, "Old Town Market", 350, [11.5, 16.0], 0.97),
        (3, "Arena", 1200, [19.5], 0.985),
        (4, "Hospital", 500, [10.0, 14.5], 0.90),
    ];

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    public static List<RecordBatch> Day(DateTimeOffset start, int seed)
    {
        var random = new Random(seed);
        var timeType = new TimestampType(TimeUnit.Microsecond, "UTC");
        var schema = new Schema(
            [
                new Field("car_park", Int32Type.Default, false),
                new Field("time", timeType, false),
                new Field("free_share", DoubleType.Default, true),
            ],
            null);
        var batches = new List<RecordBatch>();
        var steps = (int)(TimeSpan.FromDays(1) / Interval);

        // One batch per hour of readings, all car parks together, as a collector would forward them.
        for (var hour = 0; hour < 24; hour++)
        {
            var keys = new Int32Array.Builder();
            var times = new TimestampArray.Builder(timeType);
            var shares = new DoubleArray.Builder();
            for (var step = hour * steps / 24; step < (hour + 1) * steps / 24; step++)
            {
                var time = start + (step * Interval);
                var h = step * Interval.TotalHours;
                foreach (var park in CarParks)
                {
                    // Fill: a base load plus a bell around each peak hour; free share is what is left, counted in whole spaces.
                    var fill = 0.25 + park.PeakHours.Sum(p => (park.PeakFill - 0.25) * Math.Exp(-Math.Pow((h - p) / 1.5, 2)));
                    fill = Math.Clamp(fill + ((random.NextDouble() - 0.5) * 0.04), 0, 1);
                    var free = Math.Round((1 - fill) * park.Spaces) / park.Spaces;
                    keys.Append(park.Id);
                    times.Append(time);
                    shares.Append(free);
                }
            }

            var length = keys.Length;
            batches.Add(new RecordBatch(schema, [keys.Build(), times.Build(), shares.Build()], length));
        }

        return batches;
    }
}
