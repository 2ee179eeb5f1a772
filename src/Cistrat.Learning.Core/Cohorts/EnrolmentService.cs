using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Cohorts;

public enum EnrolmentOutcome
{
    Enrolled,
    AwaitingApproval,
    AlreadyEnrolled,
    AlreadyPending,
    CohortClosed,
    CohortFull,
    WrongInvitationCode,
    Rejected,
}

/// <summary>The rules of joining and leaving a cohort, shared by trainees' requests and coordinators' lists.</summary>
public sealed class EnrolmentService(LearningDbContext db, TimeProvider time)
{
    /// <summary>A cohort takes enrolments until its last day has passed in its own time zone.</summary>
    public static bool IsOpenForEnrolment(Cohort cohort, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        return IsOpenForEnrolment(cohort.EndsOn, cohort.TimeZoneId, utcNow);
    }

    public static bool IsOpenForEnrolment(DateOnly endsOn, string timeZoneId, DateTime utcNow) =>
        DateOnly.FromDateTime(TimeZones.ToLocal(utcNow, timeZoneId)) <= endsOn;

    public async Task<EnrolmentOutcome> RequestAsync(string userId, int cohortId, string? invitationCode, CancellationToken ct = default)
    {
        var cohort = await db.Cohorts.SingleAsync(c => c.Id == cohortId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var existing = await db.Enrolments.SingleOrDefaultAsync(e => e.CohortId == cohortId && e.UserId == userId, ct);
        switch (existing?.Status)
        {
            case EnrolmentStatus.Active: return EnrolmentOutcome.AlreadyEnrolled;
            case EnrolmentStatus.Pending: return EnrolmentOutcome.AlreadyPending;
            case EnrolmentStatus.Rejected: return EnrolmentOutcome.Rejected;
        }

        if (!IsOpenForEnrolment(cohort, now))
            return EnrolmentOutcome.CohortClosed;
        if (cohort.Policy == EnrolmentPolicy.InvitationCode && !CodesMatch(cohort.InvitationCode, invitationCode))
            return EnrolmentOutcome.WrongInvitationCode;
        if (await IsFullAsync(cohort, ct))
            return EnrolmentOutcome.CohortFull;

        var status = cohort.Policy == EnrolmentPolicy.Approval ? EnrolmentStatus.Pending : EnrolmentStatus.Active;
        if (existing is null)
        {
            existing = new Enrolment { CohortId = cohortId, UserId = userId };
            db.Enrolments.Add(existing);
        }

        existing.Status = status;
        existing.RequestedAt = now;
        existing.DecidedAt = status == EnrolmentStatus.Active ? now : null;
        existing.DecidedById = null;
        await db.SaveChangesAsync(ct);
        return status == EnrolmentStatus.Active ? EnrolmentOutcome.Enrolled : EnrolmentOutcome.AwaitingApproval;
    }

    /// <summary>Leaves the cohort; progress is kept, so re-enrolling later resumes where the trainee stopped.</summary>
    public async Task<bool> WithdrawAsync(string userId, int cohortId, CancellationToken ct = default)
    {
        var enrolment = await db.Enrolments.SingleOrDefaultAsync(
            e => e.CohortId == cohortId && e.UserId == userId
                 && (e.Status == EnrolmentStatus.Active || e.Status == EnrolmentStatus.Pending), ct);
        if (enrolment is null)
            return false;
        enrolment.Status = EnrolmentStatus.Withdrawn;
        enrolment.DecidedAt = time.GetUtcNow().UtcDateTime;
        enrolment.DecidedById = userId;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>A coordinator's decision on a pending request. Returns false when there is no such pending request.</summary>
    public async Task<bool> DecideAsync(int enrolmentId, int cohortId, bool approve, string coordinatorId, CancellationToken ct = default)
    {
        var enrolment = await db.Enrolments.SingleOrDefaultAsync(
            e => e.Id == enrolmentId && e.CohortId == cohortId && e.Status == EnrolmentStatus.Pending, ct);
        if (enrolment is null)
            return false;
        enrolment.Status = approve ? EnrolmentStatus.Active : EnrolmentStatus.Rejected;
        enrolment.DecidedAt = time.GetUtcNow().UtcDateTime;
        enrolment.DecidedById = coordinatorId;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Enrols a coordinator's list of addresses: people with an account become active trainees at once
    /// (capacity still applies); unknown addresses are stored as invitations and redeemed when that person registers.
    /// </summary>
    public async Task<BulkEnrolmentResult> EnrolByEmailAsync(int cohortId, IEnumerable<string> emails, string coordinatorId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(emails);
        var cohort = await db.Cohorts.SingleAsync(c => c.Id == cohortId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var result = new BulkEnrolmentResult();
        var wanted = new List<string>();
        foreach (var raw in emails.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (EmailAddress.IsValid(raw))
                wanted.Add(raw);
            else
                result.Invalid.Add(raw);
        }

        var normalized = wanted.Select(e => e.ToUpperInvariant()).ToList();
        var users = await db.Users.Where(u => u.NormalizedEmail != null && normalized.Contains(u.NormalizedEmail))
            .Select(u => new { u.Id, u.NormalizedEmail }).ToListAsync(ct);
        var userIds = users.Select(u => u.Id).ToList();
        var enrolments = await db.Enrolments.Where(e => e.CohortId == cohortId && userIds.Contains(e.UserId)).ToListAsync(ct);
        var invitations = await db.Invitations.Where(i => i.CohortId == cohortId && normalized.Contains(i.NormalizedEmail))
            .Select(i => i.NormalizedEmail).ToListAsync(ct);
        var seats = cohort.Capacity is int capacity
            ? capacity - await SeatsTakenAsync(cohortId, ct)
            : int.MaxValue;

        foreach (var email in wanted)
        {
            var key = email.ToUpperInvariant();
            var user = users.FirstOrDefault(u => u.NormalizedEmail == key);
            if (user is null)
            {
                if (invitations.Contains(key))
                {
                    result.AlreadyInvited.Add(email);
                    continue;
                }

                db.Invitations.Add(new Invitation { CohortId = cohortId, NormalizedEmail = key, InvitedAt = now, InvitedById = coordinatorId });
                result.Invited.Add(email);
                continue;
            }

            var enrolment = enrolments.FirstOrDefault(e => e.UserId == user.Id);
            if (enrolment?.Status == EnrolmentStatus.Active)
            {
                result.AlreadyEnrolled.Add(email);
                continue;
            }

            var takesSeat = enrolment?.Status != EnrolmentStatus.Pending;
            if (takesSeat && seats <= 0)
            {
                result.NoSeat.Add(email);
                continue;
            }

            if (enrolment is null)
            {
                enrolment = new Enrolment { CohortId = cohortId, UserId = user.Id, RequestedAt = now };
                db.Enrolments.Add(enrolment);
            }

            enrolment.Status = EnrolmentStatus.Active;
            enrolment.DecidedAt = now;
            enrolment.DecidedById = coordinatorId;
            if (takesSeat)
                seats--;
            result.Enrolled.Add(email);
        }

        await db.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>Turns every open invitation for this person's address into an active enrolment.</summary>
    public async Task<int> RedeemInvitationsAsync(string userId, string normalizedEmail, CancellationToken ct = default)
    {
        var invitations = await db.Invitations.Where(i => i.NormalizedEmail == normalizedEmail && i.RedeemedAt == null).ToListAsync(ct);
        if (invitations.Count == 0)
            return 0;
        var now = time.GetUtcNow().UtcDateTime;
        var cohortIds = invitations.Select(i => i.CohortId).ToList();
        var existing = await db.Enrolments.Where(e => e.UserId == userId && cohortIds.Contains(e.CohortId)).ToListAsync(ct);
        foreach (var invitation in invitations)
        {
            invitation.RedeemedAt = now;
            var enrolment = existing.FirstOrDefault(e => e.CohortId == invitation.CohortId);
            if (enrolment is null)
            {
                db.Enrolments.Add(new Enrolment
                {
                    CohortId = invitation.CohortId, UserId = userId, Status = EnrolmentStatus.Active,
                    RequestedAt = invitation.InvitedAt, DecidedAt = now, DecidedById = invitation.InvitedById,
                });
            }
            else if (enrolment.Status != EnrolmentStatus.Active)
            {
                enrolment.Status = EnrolmentStatus.Active;
                enrolment.DecidedAt = now;
                enrolment.DecidedById = invitation.InvitedById;
            }
        }

        await db.SaveChangesAsync(ct);
        return invitations.Count;
    }

    private async Task<bool> IsFullAsync(Cohort cohort, CancellationToken ct) =>
        cohort.Capacity is int capacity && await SeatsTakenAsync(cohort.Id, ct) >= capacity;

    /// <summary>Active enrolments and pending requests both hold a place.</summary>
    private Task<int> SeatsTakenAsync(int cohortId, CancellationToken ct) =>
        db.Enrolments.CountAsync(e => e.CohortId == cohortId && (e.Status == EnrolmentStatus.Active || e.Status == EnrolmentStatus.Pending), ct);

    private static bool CodesMatch(string? expected, string? given) =>
        !string.IsNullOrEmpty(expected) && string.Equals(expected.Trim(), given?.Trim(), StringComparison.OrdinalIgnoreCase);
}

public sealed class BulkEnrolmentResult
{
    public List<string> Enrolled { get; } = [];
    public List<string> Invited { get; } = [];
    public List<string> AlreadyEnrolled { get; } = [];
    public List<string> AlreadyInvited { get; } = [];
    public List<string> NoSeat { get; } = [];
    public List<string> Invalid { get; } = [];
}
