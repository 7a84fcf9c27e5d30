#!/usr/bin/env bash
# Does what a NuGet user does: pack the library into a local feed, create a fresh console project outside the
# solution, add the package by version from that feed, build and run a small pipeline.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A private package cache: the global one may hold an older build of this same version.
export NUGET_PACKAGES="$work/packages"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)"

dotnet pack "$root/SmartCity.Streams/SmartCity.Streams.csproj" -c Release -o "$work/feed" -p:ContinuousIntegrationBuild=true >/dev/null
ls "$work/feed/SmartCity.Streams.$version.nupkg" "$work/feed/SmartCity.Streams.$version.snupkg" >/dev/null

mkdir -p "$work/app"
cd "$work/app"
dotnet new console --framework net10.0 --name SmokeApp --output . >/dev/null
cat > nuget.config <<CFG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
CFG
# Keep the user's default sources too (Apache.Arrow and System.Reactive come from there).
dotnet add package SmartCity.Streams --version "$version" >/dev/null
cat > Program.cs <<'CS'
using Apache.Arrow;
using Apache.Arrow.Types;
using SmartCity.Streams.Events;
using SmartCity.Streams.Operators.Basic;
using SmartCity.Streams.Pipeline;

var ts = new TimestampType(TimeUnit.Millisecond, "UTC");
var keys = new Int32Array.Builder();
var times = new TimestampArray.Builder(ts);
var speeds = new DoubleArray.Builder();
for (var i = 0; i < 200; i++)
{
    keys.Append(i % 2);
    times.Append(DateTimeOffset.UnixEpoch.AddMinutes(i));
    speeds.Append(i is >= 150 and < 160 && i % 2 == 0 ? 5 : 60 + (i % 7));
}

var batch = new RecordBatch(new Schema([new Field("sensor", Int32Type.Default, false), new Field("time", ts, false), new Field("speed", DoubleType.Default, false)], null),
    [keys.Build(), times.Build(), speeds.Build()], 200);
var events = new CollectingEventSink();
var run = StreamPipeline.Create("sensor", "time", "speed")
    .Ewma("speed", new EwmaOptions { Alpha = 0.1 })
    .Threshold(new ThresholdRuleOptions { Column = "speed_z", Threshold = -4, ResolveAt = -1, Direction = ThresholdDirection.Below, Category = EventCategory.Incident })
    .SendEventsTo(events)
    .Build()
    .CreateRun();
run.Process(batch);
run.Complete();
Console.WriteLine($"events={events.Events.Count} first={events.Events[0]}");
return events.Events.Count == 2 && events.Events[0].Sensor.Number == 0 ? 0 : 1;
CS
dotnet run -c Release
