namespace Cistrat.Learning.Benchmarks;

/// <summary>Everything one run measured, for the report and the targets.</summary>
internal sealed record BenchmarkRun(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    MachineInfo Machine,
    BenchmarkOptions Options,
    RepoLayout Repo,
    LoadTarget Lesson,
    IReadOnlyList<Measurement> Measurements,
    MemoryFigures Memory,
    FirstVisitResult FirstVisit,
    WarmUp WarmUp)
{
    public const double MaxErrorRate = 0.01;

    /// <summary>Above this, other processes took enough of the shared cores to distort the comparison.</summary>
    public const double MaxOtherCores = 0.2;

    public Measurement Find(string target, int clients) =>
        Measurements.Single(m => m.Load.Target == target && m.Load.Clients == clients);

    /// <summary>More than 1 % errors means the numbers describe failures, not the pages.</summary>
    public IReadOnlyList<Measurement> Invalid => Measurements.Where(m => m.Load.ErrorRate > MaxErrorRate).ToList();

    public IReadOnlyList<Measurement> Disturbed => Measurements.Where(m => m.Resources.OtherCores > MaxOtherCores).ToList();
}

internal sealed record Measurement(LoadResult Load, ResourceUse Resources);

/// <summary>How many rounds of every target the server needed before its JIT settled, and what the JIT took in the last one.</summary>
internal sealed record WarmUp(int Rounds, TimeSpan RoundDuration, TimeSpan LastRoundJit);

/// <summary>Server VmRSS in bytes at the moments the report names.</summary>
internal sealed record MemoryFigures(long AfterStartUp, long AtRestAfterWarmUp, long PeakUnderLoad, long AtRestAfterLoad);
