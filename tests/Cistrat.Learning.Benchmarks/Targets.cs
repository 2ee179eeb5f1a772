using System.Globalization;

namespace Cistrat.Learning.Benchmarks;

/// <summary>What is loaded: the bare endpoint is the baseline every page is compared with, in the same run.</summary>
internal sealed record LoadTarget(string Name, string Path, bool SignedIn)
{
    public static readonly LoadTarget Bare = new("Bare endpoint", "/healthz/live", SignedIn: false);

    public static readonly LoadTarget Catalogue = new("Catalogue (anonymous)", "/", SignedIn: false);

    public static LoadTarget Lesson(string path) => new("Lesson (signed in)", path, SignedIn: true);
}

/// <summary>The issue's performance targets, judged on one run's figures.</summary>
internal static class Targets
{
    public const double LessonToBareRatio = 0.35;
    public const int P99ClientCount = 200;
    public static readonly TimeSpan LessonP99 = TimeSpan.FromMilliseconds(50);

    /// <summary>60 KB read as 60,000 bytes, the stricter reading.</summary>
    public const long FirstVisitBytes = 60_000;

    public static IReadOnlyList<TargetCheck> Judge(BenchmarkRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var checks = new List<TargetCheck>();
        foreach (var clients in run.Options.ClientCounts)
        {
            var bare = run.Find(LoadTarget.Bare.Name, clients);
            var lesson = run.Find(run.Lesson.Name, clients);
            var ratio = lesson.Load.RequestsPerSecond / bare.Load.RequestsPerSecond;
            checks.Add(new TargetCheck(
                $"Signed-in lesson page ≥ {LessonToBareRatio:0.00}× bare endpoint requests/s at {clients} clients",
                $"{ratio:0.000}× ({lesson.Load.RequestsPerSecond:0} vs {bare.Load.RequestsPerSecond:0} requests/s)",
                ratio >= LessonToBareRatio));
        }

        var lessonAtP99Clients = run.Measurements.FirstOrDefault(m => m.Load.Target == run.Lesson.Name && m.Load.Clients == P99ClientCount);
        checks.Add(lessonAtP99Clients is null
            ? new TargetCheck($"Lesson page p99 < {LessonP99.TotalMilliseconds:0} ms at {P99ClientCount} clients", "not measured", null)
            : new TargetCheck(
                $"Lesson page p99 < {LessonP99.TotalMilliseconds:0} ms at {P99ClientCount} clients",
                $"{lessonAtP99Clients.Load.P99.TotalMilliseconds:0.0} ms",
                lessonAtP99Clients.Load.P99 < LessonP99));

        checks.Add(new TargetCheck(
            $"First visit to a lesson page < {FirstVisitBytes:N0} bytes transferred (lesson images excluded)",
            $"{run.FirstVisit.PageWeightBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes",
            run.FirstVisit.PageWeightBytes < FirstVisitBytes));
        return checks;
    }
}

/// <summary>Passed is null when the run did not measure what the target needs.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Passed)
{
    public string Verdict => Passed switch { true => "PASS", false => "FAIL", null => "NOT MEASURED" };
}
