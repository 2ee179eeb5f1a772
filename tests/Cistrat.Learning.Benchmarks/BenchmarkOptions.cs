namespace Cistrat.Learning.Benchmarks;

/// <summary>What one run measures and for how long, from the command line.</summary>
internal sealed record BenchmarkOptions(
    bool Quick,
    TimeSpan WarmUp,
    TimeSpan Measure,
    IReadOnlyList<int> ClientCounts,
    string AcceptEncoding,
    string? ReportPath,
    string? Only,
    IReadOnlyList<int> LiveClientCounts)
{
    /// <summary>The value of --only that runs the pages (and the completion rules measured with them) alone.</summary>
    public const string PagesSection = "pages";

    /// <summary>The value of --only that runs the live-room section alone.</summary>
    public const string LiveSection = "live";

    /// <summary>The value of --only that runs the mail section alone.</summary>
    public const string MailSection = "mail";

    /// <summary>The value of --only that runs the certificates section alone.</summary>
    public const string CertificatesSection = "certificates";

    /// <summary>The room sizes: "N = 1,000 and 5,000".</summary>
    public static readonly IReadOnlyList<int> DefaultLiveClientCounts = [1000, 5000];

    public const string Usage = """
        Usage: dotnet run -c Release --project tests/Cistrat.Learning.Benchmarks [-- OPTIONS]

          --quick                    1 s warm-up and 3 s measurement per target instead of 3 s and 10 s;
                                     live rooms: 5 measured slide changes instead of 20; mail: 2,000
                                     reminders instead of 10,000 and 500 baseline jobs instead of 2,000
          --accept-encoding VALUE    what the load clients accept (default "br, gzip"; "identity" turns
                                     compression off, to see what it costs the server)
          --report PATH              write the report there instead of tests/Cistrat.Learning.Benchmarks/REPORT.md
          --only pages               run only the pages section (with the completion rules), and replace only
                                     that part of the report
          --only live                run only the live-room section, and replace only that section of the report
          --only mail                run only the mail section (reminders through Hangfire to a local SMTP
                                     server), and replace only that section of the report
          --only certificates        run only the certificates section (a cohort of 1,000 issued through the
                                     app's code and its Hangfire server; PDF sizes), and replace only that
                                     section of the report; --quick: cohorts of 200
          --live-clients N[,N...]    trainees in the live room (default 1000,5000); the server and the benchmark
                                     each hold N sockets open (.NET raises its soft open-file limit to the hard
                                     one, so `ulimit -Hn` must be well above N: 20000 does for 5,000)
        """;

    /// <summary>Like a browser: compressed pages, which is also what the server does for real trainees.</summary>
    public const string BrowserAcceptEncoding = "br, gzip";

    public static BenchmarkOptions? Parse(IReadOnlyList<string> args)
    {
        var quick = false;
        var encoding = BrowserAcceptEncoding;
        string? report = null;
        string? only = null;
        var liveClients = DefaultLiveClientCounts;
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
                case "--only" when i + 1 < args.Count && args[i + 1] is PagesSection or LiveSection or MailSection or CertificatesSection:
                    only = args[++i];
                    break;
                case "--live-clients" when i + 1 < args.Count && ParseCounts(args[++i]) is { } counts:
                    liveClients = counts;
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
            report,
            only,
            liveClients);
    }

    private static int[]? ParseCounts(string value)
    {
        var counts = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 2)
                return null;
            counts.Add(n);
        }

        return counts.Count == 0 ? null : [.. counts];
    }
}
