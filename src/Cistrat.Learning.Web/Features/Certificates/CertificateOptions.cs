using System.ComponentModel.DataAnnotations;
using Cistrat.Learning.Web.Features.Certificates.Pdf;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>Settings under "Certificates".</summary>
public sealed class CertificateOptions
{
    public const string Section = "Certificates";

    /// <summary>The issuing centre's name, printed on certificates and named as the credentials' issuer.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Certificates:CentreName is required: the issuer's name on every certificate.")]
    public string CentreName { get; set; } = "Cistrat International Centre for STI Training";

    /// <summary>A contact address published in the issuer profile of the credentials (optional).</summary>
    [EmailAddress]
    public string? IssuerEmail { get; set; }

    /// <summary>
    /// Folder with <c>completion.json</c>, <c>participation.json</c> and their images; empty for the templates shipped
    /// with the app. A centre copies that folder, edits it, and points this setting at the copy.
    /// </summary>
    public string? TemplatePath { get; set; }

    /// <summary>
    /// The PEM file of the RSA key that signs credentials (relative to the data folder). Created on first run when
    /// missing; in production, mount it from a secret store. Other .pem files beside it are retired keys, still published.
    /// </summary>
    [Required]
    public string SigningKeyPath { get; set; } = "keys/credential-signing.pem";

    /// <summary>
    /// The signing key itself (PEM text), e.g. from an environment variable or a secret store; when set, it is used
    /// instead of <see cref="SigningKeyPath"/>, with <see cref="RetiredKeys"/> still published for verifying.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Earlier signing keys (PEM text) whose credentials must still verify, when <see cref="SigningKey"/> is used.</summary>
    public List<string>? RetiredKeys { get; set; }

    /// <summary>Look-ups of the public verification page per client address and minute.</summary>
    [Range(1, 10_000)]
    public int VerifyRequestsPerMinute { get; set; } = 30;

    [Range(1, 10)]
    public int JobAttempts { get; set; } = 3;

    public CertificateFontOptions Fonts { get; set; } = new();
}
