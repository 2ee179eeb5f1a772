using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>
/// The layout of one kind of certificate, read from a JSON file a centre can edit (text, logo, signatures, colours)
/// without recompiling: positions in millimetres on the page, text baselines at <c>y</c>, sizes in points.
/// The PDF renderer and the HTML view both draw from it. See the feature's README for the format.
/// </summary>
public sealed partial class CertificateTemplate
{
    public string Name { get; set; } = "";

    public PageSpec Page { get; set; } = new();

    /// <summary>Named colours the elements refer to (or use "#rrggbb" directly).</summary>
    public Dictionary<string, string> Colors { get; set; } = [];

    public List<TemplateElement> Elements { get; set; } = [];

    /// <summary>People who sign every certificate of this kind, beside the cohort's lecturers.</summary>
    public List<Signatory> Signatories { get; set; } = [];

    /// <summary>The folder the file was read from: images are found relative to it.</summary>
    [JsonIgnore]
    public string Folder { get; set; } = "";

    public string ColorOf(string? name, string fallback = "#000000")
    {
        var value = string.IsNullOrWhiteSpace(name) ? fallback : Colors.GetValueOrDefault(name, name);
        return HexColor().IsMatch(value) ? value : fallback;
    }

    public string ImagePath(string src) => Path.GetFullPath(Path.Combine(Folder, src));

    /// <summary>The template's problems, each naming the element and what is wrong; empty when it can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Page.Width is < 50 or > 1000 || Page.Height is < 50 or > 1000)
            problems.Add($"page: width and height are millimetres between 50 and 1000 (got {Page.Width} × {Page.Height}).");
        foreach (var (name, value) in Colors)
        {
            if (!HexColor().IsMatch(value))
                problems.Add($"colors.{name}: '{value}' is not a colour of the form #rrggbb.");
        }

        for (var i = 0; i < Elements.Count; i++)
        {
            var e = Elements[i];
            var at = $"elements[{i}] ({e.Type})";
            switch (e.Type)
            {
                case "text":
                    if (string.IsNullOrWhiteSpace(e.Text))
                        problems.Add($"{at}: a text element needs \"text\".");
                    if (e.Size is <= 0 or > 200)
                        problems.Add($"{at}: size is in points, from 1 to 200.");
                    if (e.Font is not ("serif" or "sans"))
                        problems.Add($"{at}: font is \"serif\" or \"sans\".");
                    if (e.Align is not ("left" or "center" or "right"))
                        problems.Add($"{at}: align is \"left\", \"center\" or \"right\".");
                    foreach (Match m in Placeholder().Matches(e.Text ?? ""))
                    {
                        if (!CertificateValues.Names.Contains(m.Groups[1].Value))
                            problems.Add($"{at}: unknown placeholder {{{m.Groups[1].Value}}}; known: {string.Join(", ", CertificateValues.Names.Select(n => $"{{{n}}}"))}.");
                    }

                    break;
                case "rect" or "line" or "qr" or "signatures":
                    if (e.Type != "line" && (e.Width <= 0 || (e.Type == "rect" && e.Height <= 0)))
                        problems.Add($"{at}: needs a positive width{(e.Type == "rect" ? " and height" : "")}.");
                    break;
                case "image":
                    if (string.IsNullOrWhiteSpace(e.Src))
                        problems.Add($"{at}: an image element needs \"src\" (a PNG or JPEG beside the template).");
                    else if (!File.Exists(ImagePath(e.Src)))
                        problems.Add($"{at}: the image '{e.Src}' is not in {Folder}.");
                    if (e.Width <= 0 || e.Height <= 0)
                        problems.Add($"{at}: needs a positive width and height.");
                    break;
                default:
                    problems.Add($"{at}: unknown element type; use text, rect, line, image, qr or signatures.");
                    break;
            }
        }

        for (var i = 0; i < Signatories.Count; i++)
        {
            if (Signatories[i].Image is { Length: > 0 } image && !File.Exists(ImagePath(image)))
                problems.Add($"signatories[{i}]: the image '{image}' is not in {Folder}.");
        }

        if (!Elements.Any(e => e.Type == "text" && (e.Text ?? "").Contains("{holder}", StringComparison.Ordinal)))
            problems.Add("The template never prints {holder}, the trainee's name.");
        if (!Elements.Any(e => e.Type == "qr") && !Elements.Any(e => (e.Text ?? "").Contains("{verifyUrl}", StringComparison.Ordinal)))
            problems.Add("The template shows neither a QR code nor {verifyUrl}: nobody could verify the certificate.");
        return problems;
    }

    public static CertificateTemplate Load(string path)
    {
        CertificateTemplate? template;
        try
        {
            using var stream = File.OpenRead(path);
            template = JsonSerializer.Deserialize<CertificateTemplate>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new CertificateTemplateException($"{path}: not valid template JSON ({e.Message})");
        }
        catch (IOException e)
        {
            throw new CertificateTemplateException($"{path}: cannot be read ({e.Message})");
        }

        if (template is null)
            throw new CertificateTemplateException($"{path}: the file is empty.");
        template.Folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var problems = template.Problems();
        if (problems.Count > 0)
            throw new CertificateTemplateException($"{path}: {string.Join(" ", problems)}");
        return template;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();

    [GeneratedRegex(@"\{([a-zA-Z]+)\}")]
    internal static partial Regex Placeholder();
}

public sealed class PageSpec
{
    public double Width { get; set; } = 297;
    public double Height { get; set; } = 210;
    public string Background { get; set; } = "#ffffff";
}

public sealed class TemplateElement
{
    public string Type { get; set; } = "";
    public double X { get; set; }
    public double Y { get; set; }
    public double Width { get; set; }
    public double Height { get; set; }

    public string? Text { get; set; }
    public double Size { get; set; } = 12;
    public string Font { get; set; } = "serif";
    public bool Bold { get; set; }
    public string? Color { get; set; }
    public string Align { get; set; } = "left";

    /// <summary>Text wider than this (mm) is set smaller until it fits, so a long name never runs off the page.</summary>
    public double? MaxWidth { get; set; }

    public string? Stroke { get; set; }
    public double StrokeWidth { get; set; } = 0.5;
    public string? Fill { get; set; }
    public string? Src { get; set; }
}

public sealed class Signatory
{
    public string Name { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Image { get; set; }
}

/// <summary>The values a template's placeholders are filled with, for one certificate.</summary>
public sealed class CertificateValues(IReadOnlyDictionary<string, string> values, IReadOnlyList<Signatory> signatories)
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "centre", "holder", "course", "cohort", "startDate", "endDate", "dates", "hours", "serial", "issued", "verifyUrl", "lecturers", "kind",
    };

    public IReadOnlyList<Signatory> Signatories { get; } = signatories;

    public string VerifyUrl => values["verifyUrl"];

    public string Fill(string? text) => CertificateTemplate.Placeholder().Replace(text ?? "", m => values.GetValueOrDefault(m.Groups[1].Value, m.Value));

    public static CertificateValues For(Core.Certificates.Certificate certificate, string centre, string verifyUrl, CertificateTemplate template)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(template);
        var english = CultureInfo.GetCultureInfo("en-GB");
        string Date(DateOnly d) => d.ToString("d MMMM yyyy", english);
        var dates = certificate.StartsOn == certificate.EndsOn ? Date(certificate.StartsOn) : $"{Date(certificate.StartsOn)} – {Date(certificate.EndsOn)}";
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["centre"] = centre,
            ["holder"] = certificate.HolderName,
            ["course"] = certificate.CourseTitle,
            ["cohort"] = certificate.CohortName,
            ["startDate"] = Date(certificate.StartsOn),
            ["endDate"] = Date(certificate.EndsOn),
            ["dates"] = dates,
            ["hours"] = certificate.Hours.ToString("0.#", CultureInfo.InvariantCulture),
            ["serial"] = certificate.Serial,
            ["issued"] = DateOnly.FromDateTime(certificate.IssuedAt).ToString("d MMMM yyyy", english),
            ["verifyUrl"] = verifyUrl,
            ["lecturers"] = certificate.Lecturers,
            ["kind"] = certificate.Kind == Core.Certificates.CertificateKind.Completion ? "Certificate of completion" : "Certificate of participation",
        };
        var lecturers = certificate.Lecturers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => new Signatory { Name = n, Title = "Lecturer" });
        return new CertificateValues(values, [.. template.Signatories, .. lecturers]);
    }
}

public sealed class CertificateTemplateException(string message) : Exception(message);
