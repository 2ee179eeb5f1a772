using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Cistrat.Learning.Core.Content;

/// <summary>
/// Typed, line-aware access to the fields of one YAML mapping (course.yml or a front matter block).
/// Every problem is reported with the line of the field in the file; a field with a problem reads as absent.
/// </summary>
internal sealed partial class YamlFields
{
    private readonly YamlMappingNode _map;
    private readonly string _file;
    private readonly int _lineOffset;
    private readonly int _missingFieldLine;
    private readonly IssueLog _issues;

    private YamlFields(YamlMappingNode map, string file, int lineOffset, int missingFieldLine, IssueLog issues)
    {
        _map = map;
        _file = file;
        _lineOffset = lineOffset;
        _missingFieldLine = missingFieldLine;
        _issues = issues;
    }

    /// <summary>True once any field read through this instance had an Error.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>
    /// Parses <paramref name="yaml"/> into a mapping. Returns null, with the error reported at its line in the file,
    /// when the text is not valid YAML or not a mapping. An empty document is an empty mapping.
    /// </summary>
    /// <param name="lineOffset">Added to YamlDotNet's 1-based lines: the number of file lines before the YAML.</param>
    /// <param name="missingFieldLine">Line reported for a missing required field.</param>
    public static YamlFields? Parse(string yaml, string file, int lineOffset, int missingFieldLine, IssueLog issues)
    {
        var parser = new PositionTrackingParser(new Parser(new StringReader(yaml)));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            // An unclosed construct is only noticed at the end of the text, past the last line (on the closing
            // '---' of a front matter); the last event read is in the construct the author left open.
            var line = (int)e.Start.Line > yaml.Split('\n').Length ? parser.LastLine : (int)e.Start.Line;
            issues.Error(file, line + lineOffset, $"invalid YAML: {e.Message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this, without a position, for some unclosed flow collections ("title: [a").
            // The last event it did read is where the broken construct starts.
            issues.Error(file, parser.LastLine + lineOffset, "invalid YAML: an unclosed [ or { or quote");
            return null;
        }

        if (stream.Documents.Count == 0)
            return new YamlFields(new YamlMappingNode(), file, lineOffset, missingFieldLine, issues);
        if (stream.Documents.Count > 1)
        {
            issues.Error(file, (int)stream.Documents[1].RootNode.Start.Line + lineOffset, "invalid YAML: more than one document");
            return null;
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode map)
            return new YamlFields(map, file, lineOffset, missingFieldLine, issues);
        if (root is YamlScalarNode scalar && IsNull(scalar))
            return new YamlFields(new YamlMappingNode(), file, lineOffset, missingFieldLine, issues);
        issues.Error(file, (int)root.Start.Line + lineOffset, "invalid YAML: expected 'field: value' lines");
        return null;
    }

    public bool Has(string key) => Find(key) is not null;

    public int LineOf(string key) =>
        Find(key) is { } entry ? LineOf(entry.Key) : _missingFieldLine;

    public string? Text(string key, bool required, int maxLength)
    {
        if (Find(key) is not { } entry || (entry.Value is YamlScalarNode { } s && IsNull(s)))
        {
            if (required)
                Error(Find(key) is { } present ? LineOf(present.Key) : _missingFieldLine, $"missing required field '{key}'");
            return null;
        }

        if (entry.Value is not YamlScalarNode scalar)
        {
            Error(LineOf(entry.Value), $"field '{key}' must be text");
            return null;
        }

        var value = scalar.Value!.Trim();
        if (value.Length == 0)
        {
            if (required)
                Error(LineOf(entry.Key), $"missing required field '{key}'");
            return null;
        }

        if (value.Length > maxLength)
        {
            Error(LineOf(entry.Value), $"field '{key}' is longer than {maxLength} characters");
            return null;
        }

        return value;
    }

    public int? Integer(string key, int min)
    {
        if (Find(key) is not { } entry || (entry.Value is YamlScalarNode { } s && IsNull(s)))
            return null;
        if (entry.Value is YamlScalarNode { Value: { } text }
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min)
            return value;
        Error(LineOf(entry.Value), $"field '{key}' must be a whole number of at least {min}");
        return null;
    }

    /// <summary>A positive decimal number; reports an error when present but not one.</summary>
    public decimal? PositiveNumber(string key, bool required)
    {
        if (Find(key) is not { } entry || (entry.Value is YamlScalarNode { } s && IsNull(s)))
        {
            if (required)
                Error(_missingFieldLine, $"missing required field '{key}'");
            return null;
        }

        if (entry.Value is YamlScalarNode { Value: { } text }
            && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0)
            return value;
        Error(LineOf(entry.Value), $"field '{key}' must be a positive number");
        return null;
    }

    /// <summary>A list of texts; a single text reads as a list of one.</summary>
    public IReadOnlyList<string>? TextList(string key)
    {
        if (Find(key) is not { } entry || (entry.Value is YamlScalarNode { } s && IsNull(s)))
            return null;
        if (entry.Value is YamlScalarNode single)
            return [Flatten(single.Value!)];
        if (entry.Value is not YamlSequenceNode sequence)
        {
            Error(LineOf(entry.Value), $"field '{key}' must be a list");
            return null;
        }

        var items = new List<string>();
        foreach (var item in sequence.Children)
        {
            if (item is not YamlScalarNode scalar)
            {
                Error(LineOf(item), $"each item of '{key}' must be text");
                return null;
            }

            var value = Flatten(scalar.Value ?? "");
            if (value.Length > 0)
                items.Add(value);
        }

        return items;
    }

    public YamlMappingNode? Mapping(string key)
    {
        if (Find(key) is not { } entry || (entry.Value is YamlScalarNode { } s && IsNull(s)))
            return null;
        if (entry.Value is YamlMappingNode map)
            return map;
        Error(LineOf(entry.Value), $"field '{key}' must be a set of 'name: value' lines");
        return null;
    }

    public YamlSequenceNode? Sequence(string key)
    {
        if (Find(key) is not { } entry || (entry.Value is YamlScalarNode { } s && IsNull(s)))
            return null;
        if (entry.Value is YamlSequenceNode sequence)
            return sequence;
        Error(LineOf(entry.Value), $"field '{key}' must be a list");
        return null;
    }

    /// <summary>Fields of a nested mapping, reported against the same file.</summary>
    public YamlFields Nested(YamlMappingNode map) =>
        new(map, _file, _lineOffset, (int)map.Start.Line + _lineOffset, _issues);

    public int LineOf(YamlNode node) => (int)node.Start.Line + _lineOffset;

    /// <summary>Warns about fields this format does not know, which are usually typos of ones it does.</summary>
    public void WarnUnknown(params string[] known)
    {
        foreach (var key in _map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name, StringComparer.Ordinal))
                _issues.Warning(_file, LineOf(key), $"unknown field '{name}' is ignored (known: {string.Join(", ", known)})");
        }
    }

    /// <summary>
    /// The value of a top-level <c>slug:</c> line found by plain text search, for files whose YAML does not parse:
    /// it names the stored item that must be kept rather than retired.
    /// </summary>
    public static string? ScanSlug(string yaml)
    {
        var match = SlugLine().Match(yaml);
        return match.Success ? match.Groups[1].Value : null;
    }

    private void Error(int line, string reason)
    {
        HasErrors = true;
        _issues.Error(_file, line, reason);
    }

    private KeyValuePair<YamlNode, YamlNode>? Find(string key)
    {
        foreach (var entry in _map.Children)
        {
            if (entry.Key is YamlScalarNode { Value: { } name } && name == key)
                return entry;
        }

        return null;
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    // Objectives are stored one per line, so a folded multi-line item becomes one line.
    private static string Flatten(string value) => WhiteSpaceRun().Replace(value, " ").Trim();

    [GeneratedRegex(@"^slug:\s*['""]?([A-Za-z0-9_-]+)", RegexOptions.Multiline)]
    private static partial Regex SlugLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpaceRun();

    /// <summary>Remembers the line of the last event read, for parser failures that carry no position.</summary>
    private sealed class PositionTrackingParser(IParser inner) : IParser
    {
        public int LastLine { get; private set; } = 1;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (moved && inner.Current is { } current)
                LastLine = (int)current.Start.Line;
            return moved;
        }
    }
}
