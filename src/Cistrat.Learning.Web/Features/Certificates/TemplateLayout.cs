namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>
/// A template with one certificate's values filled in and its compound elements (the signature row) broken into
/// plain text, lines and images: what both the PDF renderer and the HTML view draw, so they cannot disagree.
/// </summary>
public static class TemplateLayout
{
    public const double MillimetresPerPoint = 25.4 / 72;

    public static IReadOnlyList<Drawable> Expand(CertificateTemplate template, CertificateValues values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        var drawables = new List<Drawable>();
        foreach (var e in template.Elements)
        {
            switch (e.Type)
            {
                case "text":
                    var text = values.Fill(e.Text).Trim();
                    if (text.Length > 0)
                        drawables.Add(new TextDrawable(text, e.X, e.Y, e.Size, e.Font, e.Bold, template.ColorOf(e.Color), e.Align, e.MaxWidth));
                    break;
                case "rect":
                    drawables.Add(new RectDrawable(e.X, e.Y, e.Width, e.Height,
                        e.Stroke is null ? null : template.ColorOf(e.Stroke), e.StrokeWidth, e.Fill is null ? null : template.ColorOf(e.Fill)));
                    break;
                case "line":
                    drawables.Add(new LineDrawable(e.X, e.Y, e.X + e.Width, e.Y + e.Height, template.ColorOf(e.Stroke), e.StrokeWidth));
                    break;
                case "image":
                    drawables.Add(new ImageDrawable(template.ImagePath(e.Src!), e.X, e.Y, e.Width, e.Height));
                    break;
                case "qr":
                    drawables.Add(new QrDrawable(values.VerifyUrl, e.X, e.Y, e.Width, template.ColorOf(e.Color)));
                    break;
                case "signatures":
                    Signatures(template, e, values.Signatories, drawables);
                    break;
            }
        }

        return drawables;
    }

    /// <summary>Up to four signatories side by side: signature image, a line, the name, the title.</summary>
    private static void Signatures(CertificateTemplate template, TemplateElement e, IReadOnlyList<Signatory> signatories, List<Drawable> drawables)
    {
        var shown = signatories.Where(s => !string.IsNullOrWhiteSpace(s.Name)).Take(4).ToList();
        if (shown.Count == 0)
            return;
        var slot = e.Width / shown.Count;
        var color = template.ColorOf(e.Color, "#222222");
        var lineColor = template.ColorOf(e.Stroke, color);
        for (var i = 0; i < shown.Count; i++)
        {
            var centre = e.X + (slot * (i + 0.5));
            var half = Math.Min(35, slot * 0.42);
            if (shown[i].Image is { Length: > 0 } image)
                drawables.Add(new ImageDrawable(template.ImagePath(image), centre - (half * 0.8), e.Y - 14, half * 1.6, 12));
            drawables.Add(new LineDrawable(centre - half, e.Y, centre + half, e.Y, lineColor, 0.3));
            drawables.Add(new TextDrawable(shown[i].Name, centre, e.Y + 5, e.Size, e.Font, true, color, "center", half * 2));
            if (shown[i].Title.Length > 0)
                drawables.Add(new TextDrawable(shown[i].Title, centre, e.Y + 5 + (e.Size * 0.45), e.Size * 0.85, e.Font, false, color, "center", half * 2));
        }
    }
}

public abstract record Drawable;

/// <param name="Y">The baseline, in millimetres from the top.</param>
/// <param name="Size">Points.</param>
public sealed record TextDrawable(string Text, double X, double Y, double Size, string Font, bool Bold, string Color, string Align, double? MaxWidth) : Drawable;

public sealed record RectDrawable(double X, double Y, double Width, double Height, string? Stroke, double StrokeWidth, string? Fill) : Drawable;

public sealed record LineDrawable(double X1, double Y1, double X2, double Y2, string Color, double Width) : Drawable;

public sealed record ImageDrawable(string Path, double X, double Y, double Width, double Height) : Drawable;

public sealed record QrDrawable(string Url, double X, double Y, double Size, string Color) : Drawable;
