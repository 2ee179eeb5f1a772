using Cistrat.Learning.Core.Certificates;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Cistrat.Learning.Web.Infrastructure.Localization;

namespace Cistrat.Learning.Web.Features.Certificates;

/// <summary>
/// The public verification page: a serial (from the QR code, the printed URL or typed) or a credential (pasted or
/// uploaded) in, valid / revoked / superseded / unknown out, with only what the certificate itself states.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(CertificatesRegistration.VerifyRateLimit)]
public class VerifyModel(CertificateVerifier verifier, CertificateDocuments documents, IStringLocalizer<SharedResource> localizer) : PageModel
{
    /// <summary>Credentials are a few kilobytes; anything much larger is not one.</summary>
    public const int MaxCredentialBytes = 64 * 1024;

    [BindProperty(SupportsGet = true, Name = "serial")]
    public string? Serial { get; set; }

    [BindProperty]
    public string? Credential { get; set; }

    [BindProperty]
    public IFormFile? CredentialFile { get; set; }

    public Verification? Result { get; private set; }

    /// <summary>True when the result came from checking a credential's signature, not only a serial.</summary>
    public bool CheckedSignature { get; private set; }

    public (CertificateTemplate Template, IReadOnlyList<Drawable> Layout)? View { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(Serial))
        {
            Result = await verifier.BySerialAsync(Serial, ct);
            // The canonical address: a serial typed in lower case or without dashes, in the form or in the address bar,
            // lands on the same page as the QR code's.
            if (Result.Serial is { } canonical && canonical != Serial)
                return RedirectToPage(new { serial = canonical });
            ShowView();
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var token = Credential;
        if (CredentialFile is { Length: > 0 } file)
        {
            if (file.Length > MaxCredentialBytes)
            {
                ModelState.AddModelError(nameof(CredentialFile), localizer["This file is too large to be a credential (at most 64 KB)."]);
                return Page();
            }

            using var reader = new StreamReader(file.OpenReadStream());
            token = await reader.ReadToEndAsync(ct);
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            ModelState.AddModelError(nameof(Credential), localizer["Paste a credential (the text of a .jwt file) or choose the file."]);
            return Page();
        }

        Result = await verifier.ByCredentialAsync(token, ct);
        CheckedSignature = true;
        ShowView();
        return Page();
    }

    private void ShowView()
    {
        // With a broken template the verdict stands without the picture.
        if (Result is { State: VerificationState.Valid, Certificate: { } certificate })
            View = documents.TryLayout(certificate);
    }
}
