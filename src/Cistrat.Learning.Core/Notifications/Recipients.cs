using System.Text.Json;
using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Notifications;

/// <summary>A person mail goes to, with what the template needs to speak to them.</summary>
public sealed record Recipient(string UserId, string Email, string FullName, string Language, string TimeZoneId)
{
    /// <summary>The recipient's local time at <paramref name="utc"/>.</summary>
    public DateTime LocalAt(DateTime utc) => TimeZones.ToLocal(utc, TimeZoneId);

    /// <summary>Builds the outbox row for this recipient; the caller chooses a key that names the occasion.</summary>
    public OutgoingMail Mail<TModel>(string key, string kind, TModel model, DateTime now, int? cohortId) => new()
    {
        Key = key,
        Kind = kind,
        UserId = UserId,
        ToAddress = Email,
        ToName = FullName,
        Language = Language,
        TimeZoneId = TimeZoneId,
        ModelJson = JsonSerializer.Serialize(model, MailJson.Options),
        CohortId = cohortId,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    public static async Task<Dictionary<string, Recipient>> LoadAsync(LearningDbContext db, IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var result = new Dictionary<string, Recipient>(StringComparer.Ordinal);
        foreach (var chunk in userIds.Distinct().Chunk(500))
        {
            var rows = await db.Users.AsNoTracking()
                .Where(u => chunk.Contains(u.Id) && u.Email != null)
                .Select(u => new Recipient(u.Id, u.Email!, u.FullName, u.PreferredLanguage, u.TimeZoneId))
                .ToListAsync(ct);
            foreach (var r in rows)
                result[r.UserId] = r;
        }

        return result;
    }
}

/// <summary>Everyone's stored choices for some kinds of mail, read once per sweep.</summary>
public sealed class PreferenceLookup
{
    private readonly Dictionary<(string UserId, string Kind), NotificationPreference> _rows;

    private PreferenceLookup(Dictionary<(string, string), NotificationPreference> rows) => _rows = rows;

    public static async Task<PreferenceLookup> LoadAsync(LearningDbContext db, IReadOnlyCollection<string> kinds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.NotificationPreferences.AsNoTracking().Where(p => kinds.Contains(p.Kind)).ToListAsync(ct);
        return new PreferenceLookup(rows.ToDictionary(p => (p.UserId, p.Kind)));
    }

    /// <summary>Whether a mail of this kind goes to the person by itself now (not turned off, not collected into the digest).</summary>
    public bool SendsSingly(string userId, string kind) => Decide(Find(userId, kind), kind) == Delivery.Alone;

    public bool Wants(string userId, string kind) => Decide(Find(userId, kind), kind) != Delivery.None;

    public bool InDigest(string userId, string kind) => Decide(Find(userId, kind), kind) == Delivery.Digest;

    private NotificationPreference? Find(string userId, string kind) => _rows.GetValueOrDefault((userId, kind));

    public static Delivery Decide(NotificationPreference? stored, string kind)
    {
        var meta = MailKinds.Find(kind) ?? throw new ArgumentException($"Unknown mail kind '{kind}'.", nameof(kind));
        if (meta.Essential)
            return Delivery.Alone;
        if (stored is null)
            return meta.EnabledByDefault ? Delivery.Alone : Delivery.None;
        if (!stored.Enabled)
            return Delivery.None;
        return stored.InDigest && meta.MayGoToDigest ? Delivery.Digest : Delivery.Alone;
    }
}

public enum Delivery
{
    None = 0,
    Alone = 1,
    Digest = 2,
}

public static class MailJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
