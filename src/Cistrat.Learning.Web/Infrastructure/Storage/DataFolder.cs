namespace Cistrat.Learning.Web.Infrastructure.Storage;

/// <summary>Resolved absolute paths of the data folder and the content folder.</summary>
public sealed class DataFolder(string root, string contentRoot)
{
    public string Root { get; } = root;

    public string ContentRoot { get; } = contentRoot;

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public static DataFolder Resolve(LearningOptions options, string appContentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.GetFullPath(Path.Combine(appContentRoot, options.DataPath));
        Directory.CreateDirectory(root);
        return new DataFolder(root, ResolveContent(options.ContentPath, appContentRoot));
    }

    private static string ResolveContent(string? configured, string appContentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var path = Path.GetFullPath(Path.Combine(appContentRoot, configured));
            return Directory.Exists(path)
                ? path
                : throw new InvalidOperationException($"The setting Learning:ContentPath names '{path}', which does not exist.");
        }

        for (var dir = new DirectoryInfo(appContentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "content");
            if (File.Exists(Path.Combine(candidate, "README.md")))
                return candidate;
        }

        throw new InvalidOperationException(
            $"No course content folder was found above '{appContentRoot}'. Set Learning:ContentPath (env Learning__ContentPath).");
    }
}
