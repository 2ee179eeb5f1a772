namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>Folders of the repository, found by walking up from the test binaries to Cistrat.Learning.sln.</summary>
public static class RepoPaths
{
    public const string SolutionFile = "Cistrat.Learning.sln";

    public static string Root { get; } = FindRoot();

    /// <summary>The real course content, so the journeys read the courses a trainee would.</summary>
    public static string Content => Path.Combine(Root, "content");

    public static string Screenshots => Path.Combine(Root, "e2e", "screenshots");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                return dir.FullName;
        }

        throw new InvalidOperationException($"No {SolutionFile} was found above '{AppContext.BaseDirectory}': run the tests from the repository.");
    }
}
