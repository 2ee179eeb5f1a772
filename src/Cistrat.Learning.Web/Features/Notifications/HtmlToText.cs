using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>The plain-text part of a mail, made from its HTML: paragraphs, lists, and links written out.</summary>
public static class HtmlToText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote", "section", "header", "footer",
    };

    public static string Convert(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        Walk(document.Body ?? (INode)document, text);
        return Tidy(text.ToString());
    }

    private static void Walk(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(CollapseSpaces(t.Data));
                    break;
                case IElement e when e.LocalName is "style" or "script" or "head" || e.HasAttribute("data-html-only"):
                    break;
                case IElement e when e.LocalName == "br":
                    text.Append('\n');
                    break;
                case IElement e when e.LocalName == "hr":
                    text.Append("\n\n----\n\n");
                    break;
                case IElement e when e.LocalName == "li":
                    text.Append("\n- ");
                    Walk(e, text);
                    break;
                case IElement e when e.LocalName is "td" or "th":
                    Walk(e, text);
                    text.Append("  ");
                    break;
                case IElement e when e.LocalName == "a":
                    var label = new StringBuilder();
                    Walk(e, label);
                    var shown = label.ToString().Trim();
                    var href = e.GetAttribute("href");
                    text.Append(shown);
                    if (!string.IsNullOrEmpty(href) && !href.Equals(shown, StringComparison.Ordinal) && !href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
                        text.Append(shown.Length == 0 ? href : $" <{href}>");
                    break;
                case IElement e when Blocks.Contains(e.LocalName):
                    text.Append("\n\n");
                    Walk(e, text);
                    text.Append("\n\n");
                    break;
                case IElement e:
                    Walk(e, text);
                    break;
            }
        }
    }

    private static string CollapseSpaces(string s)
    {
        var b = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!space)
                    b.Append(' ');
                space = true;
            }
            else
            {
                b.Append(c);
                space = false;
            }
        }

        return b.ToString();
    }

    /// <summary>Trims each line and keeps at most one empty line between paragraphs.</summary>
    private static string Tidy(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim());
        var b = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                blank++;
                continue;
            }

            if (b.Length > 0)
                b.Append(blank > 0 ? "\n\n" : "\n");
            b.Append(line);
            blank = 0;
        }

        return b.Append('\n').ToString();
    }
}
