using System.Reflection;

namespace Cistrat.Learning.Benchmarks;

/// <summary>Where the repository, the built web app and the report are, found from the running benchmark.</summary>
internal sealed record RepoLayout(string Root, string Configuration)
{
    private const string WebProjectName = "Cistrat.Learning.Web";

    public string WebProject => Path.Combine(Root, "src", WebProjectName);

    /// <summary>The project reference builds the web app in the benchmark's own configuration.</summary>
    public string WebAssembly => Path.Combine(WebProject, "bin", Configuration, "net10.0", WebProjectName + ".dll");

    public string DefaultReport => Path.Combine(Root, "tests", "Cistrat.Learning.Benchmarks", "REPORT.md");

    public static RepoLayout Find()
    {
        var configuration = typeof(RepoLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cistrat.Learning.sln")))
                return new RepoLayout(dir.FullName, configuration);
        }

        throw new BenchmarkException($"No Cistrat.Learning.sln above {AppContext.BaseDirectory}: run the benchmark from its place in the repository.");
    }
}
