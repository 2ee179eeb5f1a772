namespace Cistrat.Learning.Benchmarks;

/// <summary>What one run measures and for how long, from the command line.</summary>
internal sealed record BenchmarkOptions(
    bool Quick,
    TimeSpan WarmUp,
    TimeSpan Measure,
    IReadOnlyList<int> ClientCounts,
    string AcceptEncoding,
    string? ReportPath)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/Cistrat.Learning.Benchmarks [-- OPTIONS]

          --quick                    1 s warm-up and 3 s measurement per target instead of 3 s and 10 s
          --accept-encoding VALUE    what the load clients accept (default "br, gzip"; "identity" turns
                                     compression off, to see what it costs the server)
          --report PATH              write the report there instead of tests/Cistrat.Learning.Benchmarks/REPORT.md
        """;

    /// <summary>Like a browser: compressed pages, which is also what the server does for real trainees.</summary>
    public const string BrowserAcceptEncoding = "br, gzip";

    public static BenchmarkOptions? Parse(IReadOnlyList<string> args)
    {
        var quick = false;
        var encoding = BrowserAcceptEncoding;
        string? report = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--accept-encoding" when i + 1 < args.Count:
                    encoding = args[++i];
                    break;
                case "--report" when i + 1 < args.Count:
                    report = args[++i];
                    break;
                default:
                    return null;
            }
        }

        return new BenchmarkOptions(
            quick,
            WarmUp: TimeSpan.FromSeconds(quick ? 1 : 3),
            Measure: TimeSpan.FromSeconds(quick ? 3 : 10),
            ClientCounts: [50, 200],
            encoding,
            report);
    }
}
