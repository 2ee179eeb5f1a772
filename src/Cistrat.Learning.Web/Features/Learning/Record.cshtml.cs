using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Cistrat.Learning.Core.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Learning;

/// <summary>"My learning record": one's own courses, attempts and completions, and a JSON download of it all.</summary>
[Authorize]
public class RecordModel(LearningDbContext db, TimeProvider time) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Names in Arabic or Chinese stay readable in the file, not \u escapes.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public LearningRecord Record { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } record)
            return Challenge();
        Record = record;
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
