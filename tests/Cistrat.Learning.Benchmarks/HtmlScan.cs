using System.Net;
using System.Text.RegularExpressions;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// Just enough HTML reading for the benchmark: the start tags of one name and their attributes. The pages come
/// from our own Razor views, so a regular expression over start tags is reliable enough and needs no package.
/// </summary>
internal static partial class HtmlScan
{
    public static IEnumerable<IReadOnlyDictionary<string, string>> StartTags(string html, string tagName)
    {
        foreach (Match tag in StartTag().Matches(html))
        {
            if (!tag.Groups["name"].Value.Equals(tagName, StringComparison.OrdinalIgnoreCase))
                continue;
            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (Match attribute in Attribute().Matches(tag.Groups["attributes"].Value))
            {
                var value = attribute.Groups["dq"].Success ? attribute.Groups["dq"].Value
                    : attribute.Groups["sq"].Success ? attribute.Groups["sq"].Value
                    : attribute.Groups["bare"].Value;
                attributes.TryAdd(attribute.Groups["key"].Value, WebUtility.HtmlDecode(value));
            }

            yield return attributes;
        }
    }

    [GeneratedRegex(@"<(?<name>[a-zA-Z][a-zA-Z0-9]*)\b(?<attributes>[^>]*)>", RegexOptions.CultureInvariant)]
    private static partial Regex StartTag();

    [GeneratedRegex(@"(?<key>[^\s=/>""']+)(?:\s*=\s*(?:""(?<dq>[^""]*)""|'(?<sq>[^']*)'|(?<bare>[^\s>]+)))?", RegexOptions.CultureInvariant)]
    private static partial Regex Attribute();
}
