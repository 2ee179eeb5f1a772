using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Features.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>"My learning record": one's own courses, attempts and completions, and a JSON download of it all.</summary>
[Authorize]
public class RecordModel(LearningDbContext db, TimeProvider time, CertificateDocuments documents) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Names in Arabic or Chinese stay readable in the file, not \u escapes.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public LearningRecord Record { get; private set; } = null!;

    /// <summary>The person's certificates, newest first, with the layout of each valid one for its HTML view.</summary>
    public IReadOnlyList<(Certificate Certificate, (CertificateTemplate Template, IReadOnlyList<Drawable> Layout)? View)> Certificates { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } record)
            return Challenge();
        Record = record;
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var certificates = await db.Certificates.AsNoTracking().Where(c => c.UserId == userId)
            .OrderByDescending(c => c.IssuedAt).ToListAsync(ct);
        Certificates = certificates.Select(c => (c, c.Status == CertificateStatus.Valid ? documents.TryLayout(c) : null)).ToList();
        return Page();
    }

    public async Task<IActionResult> OnGetDownloadAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } record)
            return Challenge();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        return File(bytes, "application/json", $"learning-record-{record.ExportedAt:yyyy-MM-dd}.json");
    }

    private Task<LearningRecord?> LoadAsync(CancellationToken ct) =>
        LearningRecord.LoadAsync(db, User.FindFirstValue(ClaimTypes.NameIdentifier)!, time.GetUtcNow().UtcDateTime, ct);
}
