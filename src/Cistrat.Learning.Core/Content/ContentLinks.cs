using System.Text.RegularExpressions;

namespace Cistrat.Learning.Core.Content;

/// <summary>The verdict on one link target: the URL to render (null to remove the link) and any problem to report.</summary>
internal sealed record LinkCheck(string? Url, string? Problem = null, ContentIssueSeverity Severity = ContentIssueSeverity.Error);

/// <summary>
/// Decides what a link or image in the content may point to. Relative links name files beside the Markdown file;
/// they must stay inside the course folder, have an allowed extension and exist, and are rewritten to where the
/// web app serves <c>content/</c>. Absolute http(s) links are kept; every other scheme is removed.
/// </summary>
internal static partial class ContentLinks
{
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.Ordinal) { ".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif" };

    public static readonly IReadOnlySet<string> FileExtensions =
        new HashSet<string>(StringComparer.Ordinal) { ".pdf", ".csv", ".xlsx", ".docx", ".odt", ".ods", ".txt" };

    /// <param name="contentRoot">Full path of the content folder.</param>
    /// <param name="sourceFile">The Markdown file holding the link, relative to the content root, '/' separators.</param>
    /// <param name="url">The link target as written (or as the HTML parser decoded it).</param>
    /// <param name="isImage">True for an image source, false for a link.</param>
    public static LinkCheck Check(string contentRoot, string sourceFile, string url, bool isImage)
    {
        // Browsers ignore tabs and newlines inside URLs and leading spaces and control characters,
        // so "java\tscript:" is still a script URL: judge the URL as a browser would read it.
        var target = BrowserInsignificant().Replace(url, "").TrimStart('\0', ' ', '\f').Trim();
        var what = isImage ? "image" : "link";
        if (target.Length == 0)
            return new LinkCheck(null, $"empty {what} target removed", ContentIssueSeverity.Warning);
        if (target.StartsWith('#'))
            return new LinkCheck(target);

        var scheme = Scheme().Match(target);
        if (scheme.Success)
        {
            var name = scheme.Groups[1].Value.ToLowerInvariant();
            if (name is "http" or "https")
                return new LinkCheck(target);
            return name == "javascript"
                ? new LinkCheck(null, $"unsafe {what} removed: javascript: URL")
                : new LinkCheck(null, $"{what} to '{name}:' removed: only relative, http and https targets are allowed");
        }

        if (target.StartsWith("//", StringComparison.Ordinal) || target.StartsWith(@"\\", StringComparison.Ordinal))
            return new LinkCheck(null, $"{what} to '{url}' removed: write https:// in full");
        if (target.StartsWith('/'))
        {
            return target.StartsWith(ContentImporter.FilesRequestPath + "/", StringComparison.Ordinal)
                ? new LinkCheck(target)
                : new LinkCheck(target, $"{what} to site path '{target}' is not checked; link files relative to the lesson", ContentIssueSeverity.Warning);
        }

        return CheckRelative(contentRoot, sourceFile, target, url, isImage);
    }

    private static LinkCheck CheckRelative(string contentRoot, string sourceFile, string target, string written, bool isImage)
    {
        var what = isImage ? "image" : "file";
        var suffixAt = target.IndexOfAny(['?', '#']);
        var suffix = suffixAt < 0 ? "" : target[suffixAt..];
        var path = suffixAt < 0 ? target : target[..suffixAt];

        var segments = sourceFile.Split('/').SkipLast(1).ToList();
        var courseFolder = segments[0];
        foreach (var raw in path.Split('/'))
        {
            var segment = Uri.UnescapeDataString(raw);
            if (segment is "" or ".")
                continue;
            if (segment.IndexOfAny(['/', '\\']) >= 0 || (segment.StartsWith('.') && segment != ".."))
                return new LinkCheck(null, $"{what} '{written}' removed: not a plain relative path");
            if (segment == "..")
            {
                if (segments.Count <= 1)
                    return new LinkCheck(null, $"{what} '{written}' removed: it points outside the course folder '{courseFolder}'");
                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        var extension = Path.GetExtension(segments[^1]).ToLowerInvariant();
        var allowed = isImage ? ImageExtensions.Contains(extension) : ImageExtensions.Contains(extension) || FileExtensions.Contains(extension);
        if (!allowed || segments.Count == 1)
        {
            var list = string.Join(" ", isImage ? ImageExtensions : ImageExtensions.Concat(FileExtensions));
            var type = extension.Length == 0 ? "no file extension" : $"type '{extension}'";
            return new LinkCheck(null, $"{what} '{written}' removed: {type} is not allowed (allowed: {list})");
        }

        var rewritten = ContentImporter.FilesRequestPath + "/" + string.Join('/', segments.Select(Uri.EscapeDataString)) + suffix;
        var onDisk = Path.Combine([contentRoot, .. segments]);
        return File.Exists(onDisk)
            ? new LinkCheck(rewritten)
            : new LinkCheck(rewritten, $"missing {what} {written}");
    }

    [GeneratedRegex(@"^([^/?#]*?):")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"[\t\n\r]")]
    private static partial Regex BrowserInsignificant();
}
