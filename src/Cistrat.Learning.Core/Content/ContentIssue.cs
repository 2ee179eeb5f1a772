namespace Cistrat.Learning.Core.Content;

public enum ContentIssueSeverity
{
    /// <summary>The item still loads as written; the author should look at it.</summary>
    Warning,

    /// <summary>Something was dropped: a link, some HTML, or the whole item.</summary>
    Error,
}

/// <summary>One problem found in <c>content/</c>.</summary>
/// <param name="File">Path relative to the content root, with '/' separators.</param>
/// <param name="Line">1-based line in that file; 0 when the problem concerns the whole file or folder.</param>
public sealed record ContentIssue(string File, int Line, string Reason, ContentIssueSeverity Severity)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

/// <summary>Collects the issues of one read of the content folder.</summary>
internal sealed class IssueLog
{
    private readonly List<ContentIssue> _items = [];

    public IReadOnlyList<ContentIssue> Items => _items;

    public void Error(string file, int line, string reason) =>
        _items.Add(new ContentIssue(file, line, reason, ContentIssueSeverity.Error));

    public void Warning(string file, int line, string reason) =>
        _items.Add(new ContentIssue(file, line, reason, ContentIssueSeverity.Warning));

    public void Add(string file, int line, string reason, ContentIssueSeverity severity) =>
        _items.Add(new ContentIssue(file, line, reason, severity));
}
