using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Features.Notifications;

/// <summary>Sending failed mail again, for the cohort and admin mail pages.</summary>
public static class FailedMail
{
    /// <summary>
    /// Puts the failed rows of <paramref name="scope"/> back to pending with fresh attempts and the same key, addressed to
    /// where each person is now (an address corrected in the profile since counts); returns how many.
    /// </summary>
    public static Task<int> ResendAsync(LearningDbContext db, IQueryable<OutgoingMail> scope, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return scope.Where(m => m.Status == MailStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MailStatus.Pending)
                .SetProperty(m => m.ToAddress, m => db.Users.Where(u => u.Id == m.UserId && u.Email != null).Select(u => u.Email!).FirstOrDefault() ?? m.ToAddress)
                .SetProperty(m => m.Attempts, 0)
                .SetProperty(m => m.NextAttemptAt, now), ct);
    }
}
