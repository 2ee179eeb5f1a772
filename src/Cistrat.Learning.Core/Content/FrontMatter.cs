namespace Cistrat.Learning.Core.Content;

/// <summary>
/// A Markdown file split into its YAML front matter and its body. The body keeps the file's line numbers:
/// the front matter lines are blanked, not removed, so that Markdig's line numbers are the file's.
/// </summary>
internal sealed record FrontMatter(string? Yaml, string Body, FrontMatterProblem Problem)
{
    /// <summary>Line of the file on which the YAML starts, minus one: add it to a line YamlDotNet reports.</summary>
    public const int YamlLineOffset = 1;

    public static FrontMatter Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (lines.Length == 0 || !IsFence(lines[0], allowDots: false))
            return new FrontMatter(null, text, FrontMatterProblem.Missing);

        for (var i = 1; i < lines.Length; i++)
        {
            if (!IsFence(lines[i], allowDots: true))
                continue;
            var yaml = string.Join('\n', lines[1..i]);
            var body = new string('\n', i + 1) + string.Join('\n', lines[(i + 1)..]);
            return new FrontMatter(yaml, body, FrontMatterProblem.None);
        }

        return new FrontMatter(null, text, FrontMatterProblem.Unclosed);
    }

    private static bool IsFence(string line, bool allowDots)
    {
        var trimmed = line.TrimEnd('\r', ' ', '\t');
        return trimmed == "---" || (allowDots && trimmed == "...");
    }
}

internal enum FrontMatterProblem
{
    None,
    Missing,
    Unclosed,
}
