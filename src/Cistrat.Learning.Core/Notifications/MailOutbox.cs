using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Notifications;

/// <summary>Adds planned mail to the outbox, skipping every key already there.</summary>
public static class MailOutbox
{
    private const int Chunk = 500;

    /// <summary>
    /// Inserts the mails whose keys are new and returns how many. Safe against a concurrent writer planning the same
    /// keys (two nodes sweeping at once): a batch that collides with it is retried row by row, and a row the other
    /// writer inserted first is counted as already there.
    /// </summary>
    public static async Task<int> AddNewAsync(LearningDbContext db, IReadOnlyCollection<OutgoingMail> mails, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(mails);
        var added = 0;
        foreach (var chunk in mails.DistinctBy(m => m.Key).Chunk(Chunk))
        {
            var keys = chunk.Select(m => m.Key).ToList();
            var existing = await db.OutgoingMail.Where(m => keys.Contains(m.Key)).Select(m => m.Key).ToListAsync(ct);
            var fresh = chunk.Where(m => !existing.Contains(m.Key)).ToList();
            if (fresh.Count == 0)
                continue;
            db.OutgoingMail.AddRange(fresh);
            try
            {
                await db.SaveChangesAsync(ct);
                added += fresh.Count;
            }
            catch (DbUpdateException)
            {
                Detach(db, fresh);
                foreach (var mail in fresh)
                    added += await AddOneAsync(db, mail, ct) ? 1 : 0;
            }
        }

        return added;
    }

    private static async Task<bool> AddOneAsync(LearningDbContext db, OutgoingMail mail, CancellationToken ct)
    {
        if (await db.OutgoingMail.AnyAsync(m => m.Key == mail.Key, ct))
            return false;
        mail.Id = 0;
        db.OutgoingMail.Add(mail);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            Detach(db, [mail]);
            // Another writer inserted this key between the check and the insert: it is there once, as it should be.
            if (await db.OutgoingMail.AsNoTracking().AnyAsync(m => m.Key == mail.Key, ct))
                return false;
            throw;
        }
    }

    private static void Detach(LearningDbContext db, IEnumerable<OutgoingMail> mails)
    {
        foreach (var mail in mails)
        {
            db.Entry(mail).State = EntityState.Detached;
            mail.Id = 0;
        }
    }
}
