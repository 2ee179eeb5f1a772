using System.Collections.Concurrent;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Web.Features.Certificates.Pdf;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>
/// The templates (re-read when their file changes, so a centre's edit shows without a restart) and what is drawn
/// from them: a certificate's PDF and the layout its HTML view shows.
/// </summary>
public sealed class CertificateDocuments(IOptions<CertificateOptions> options, CredentialIssuer issuer, CertificatePdfRenderer renderer, IWebHostEnvironment environment)
{
    private readonly ConcurrentDictionary<string, (DateTime Written, CertificateTemplate Template)> _templates = new(StringComparer.Ordinal);

    public string TemplateFolder { get; } = string.IsNullOrWhiteSpace(options.Value.TemplatePath)
        ? Path.Combine(AppContext.BaseDirectory, "Features", "Certificates", "Templates")
        : Path.GetFullPath(options.Value.TemplatePath, environment.ContentRootPath);

    public CertificateTemplate TemplateFor(CertificateKind kind)
    {
        var path = Path.Combine(TemplateFolder, kind == CertificateKind.Completion ? "completion.json" : "participation.json");
        var written = File.GetLastWriteTimeUtc(path);
        if (_templates.TryGetValue(path, out var cached) && cached.Written == written)
            return cached.Template;
        if (!File.Exists(path))
            throw new CertificateTemplateException($"The certificate template {path} is missing (setting Certificates:TemplatePath).");
        var template = CertificateTemplate.Load(path);
        _templates[path] = (written, template);
        return template;
    }

    public (CertificateTemplate Template, IReadOnlyList<Drawable> Layout) Layout(Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var template = TemplateFor(certificate.Kind);
        var values = CertificateValues.For(certificate, options.Value.CentreName, issuer.VerifyUrl(certificate.Serial), template);
        return (template, TemplateLayout.Expand(template, values));
    }

    /// <summary>The layout for the HTML view, or null when the template is broken (the PDF already stored still serves).</summary>
    public (CertificateTemplate Template, IReadOnlyList<Drawable> Layout)? TryLayout(Certificate certificate)
    {
        try
        {
            return Layout(certificate);
        }
        catch (CertificateTemplateException)
        {
            // Reported at start-up and on the coordinators' page (TemplateProblems).
            return null;
        }
    }

    /// <summary>Why each kind's template cannot be used, one message per broken template; empty when all load.</summary>
    public IReadOnlyList<string> TemplateProblems()
    {
        var problems = new List<string>();
        foreach (var kind in Enum.GetValues<CertificateKind>())
        {
            try
            {
                TemplateFor(kind);
            }
            catch (CertificateTemplateException e)
            {
                problems.Add(e.Message);
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="CertificateFontException"/>, naming the character, when a font for some text is missing.</summary>
    public void CheckFonts(Certificate certificate) => renderer.CheckFonts(Layout(certificate).Layout);

    public byte[] RenderPdf(Certificate certificate)
    {
        var (template, layout) = Layout(certificate);
        var title = $"{template.Name}: {certificate.HolderName} ({certificate.Serial})";
        return renderer.Render(template, layout, new PdfInfo(title, options.Value.CentreName, certificate.CourseTitle, certificate.IssuedAt));
    }
}
