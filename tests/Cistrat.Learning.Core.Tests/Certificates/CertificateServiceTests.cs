using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Core.Tests.Completion;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Tests.Certificates;

/// <summary>
/// CertificateService over a real migrated SQLite file: one certificate per enrolment, kind and revision whatever runs
/// twice or at once; re-issue, revocation and the audit trail; who is eligible.
/// </summary>
public sealed class CertificateServiceTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly string[] AllLessons = ["first", "second", "third", "fourth"];
    private static readonly DateTime Start = new(2026, 6, 30, 12, 0, 0, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(new DateTimeOffset(Start));
    private readonly ContentFolder _content = new();
    private int _signed;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LearningSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync()
    {
        // The shared reset does not know the certificate tables; they reference enrolments, so they go first.
        await using (var db = database.CreateContext())
        {
            await db.CertificateAudit.ExecuteDeleteAsync(Ct);
            await db.CertificateBatchItems.ExecuteDeleteAsync(Ct);
            await db.CertificateBatches.ExecuteDeleteAsync(Ct);
            await db.CertificateFiles.ExecuteDeleteAsync(Ct);
            await db.Certificates.ExecuteDeleteAsync(Ct);
        }

        await database.ResetAsync(Ct);
        _content.WithDemoCourse();
        await Seed.ImportAsync(_content);
        await Seed.UsersAsync("coord");
    }

    public ValueTask DisposeAsync()
    {
        _content.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task MintAsync_Twice_ForTheSameItem_CreatesOneCertificate()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var item = await SingleItemAsync(cohort, CertificateKind.Completion, ana);

        var first = await MintAsync(item);
        var second = await MintAsync(item);

        Assert.True(first.Created, first.Error);
        Assert.False(second.Created);
        Assert.Null(second.Error);
        Assert.Equal(first.Certificate!.Id, second.Certificate!.Id);
        Assert.Equal(1, _signed);
        await using var db = database.CreateContext();
        var certificate = await db.Certificates.SingleAsync(Ct);
        Assert.Equal(first.Certificate.Id, certificate.Id);
        Assert.Equal(certificate.Id, (await db.CertificateBatchItems.SingleAsync(i => i.Id == item, Ct)).CertificateId);
        Assert.Equal(certificate.Serial, CertificateSerial.Normalize(certificate.Serial));
        Assert.Equal((ana, cohort, "ana", CertificateKind.Completion, 1, CertificateStatus.Valid),
            (certificate.EnrolmentId, certificate.CohortId, certificate.UserId, certificate.Kind, certificate.Revision, certificate.Status));
        Assert.Equal(("Ana Lima", "Demo course", "Cohort", 6m), (certificate.HolderName, certificate.CourseTitle, certificate.CohortName, certificate.Hours));
        Assert.Equal((Start, "coord"), (certificate.IssuedAt, certificate.IssuedById));
        Assert.InRange(certificate.StatusListIndex, 0, StatusList.Size - 1);

        // The stored credential is the signed form of this very certificate.
        var check = VcJwt.Verify(certificate.CredentialJwt, TestKeys.Ring(), _clock.GetUtcNow());
        Assert.True(check.Valid, check.Error);
        Assert.Equal(certificate.Serial, OpenBadgeCredential.SerialOf(check.Payload!));
        Assert.Equal(certificate.StatusListIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
            check.Payload!["credentialStatus"]!["statusListIndex"]!.GetValue<string>());

        var audit = await db.CertificateAudit.Where(a => a.CertificateId != null).ToListAsync(Ct);
        var issued = Assert.Single(audit);
        Assert.Equal((AuditAction.Issued, certificate.Id, "coord", cohort), (issued.Action, issued.CertificateId, issued.ActorId, issued.CohortId));
        Assert.Contains(certificate.Serial, issued.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoBatches_ForTheSameEnrolmentAndKind_MakeOneValidCertificate_LinkedFromBothItems()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var firstItem = await SingleItemAsync(cohort, CertificateKind.Completion, ana);
        var secondItem = await SingleItemAsync(cohort, CertificateKind.Completion, ana);
        var participation = await SingleItemAsync(cohort, CertificateKind.Participation, ana);

        var first = await MintAsync(firstItem);
        var second = await MintAsync(secondItem);
        var other = await MintAsync(participation);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Certificate!.Id, second.Certificate!.Id);
        Assert.True(other.Created);
        await using var db = database.CreateContext();
        var completion = await db.Certificates.Where(c => c.Kind == CertificateKind.Completion).ToListAsync(Ct);
        var valid = Assert.Single(completion);
        Assert.Equal(CertificateStatus.Valid, valid.Status);
        var links = await db.CertificateBatchItems.Where(i => i.Id == firstItem || i.Id == secondItem).Select(i => i.CertificateId).ToListAsync(Ct);
        Assert.Equal([valid.Id, valid.Id], links);
        // The other kind is a certificate of its own.
        Assert.Equal(2, await db.Certificates.CountAsync(Ct));
        Assert.NotEqual(valid.Id, other.Certificate!.Id);
        Assert.Equal(2, await db.CertificateAudit.CountAsync(a => a.Action == AuditAction.Issued, Ct));
    }

    [Fact]
    public async Task MintAsync_OfTheSameItem_FromTwoContextsAtOnce_CreatesExactlyOneCertificate()
    {
        var cohort = await CohortAsync();
        var enrolments = new List<int>();
        for (var i = 0; i < 5; i++)
            enrolments.Add(await TraineeAsync(cohort, $"t{i}", $"Trainee {i}"));
        await using (var db = database.CreateContext())
        {
            var batch = await new CertificateService(db, _clock).StartBatchAsync(cohort, CertificateKind.Completion, enrolments, "coord", Ct);
            Assert.NotNull(batch);
        }

        List<int> items;
        await using (var db = database.CreateContext())
            items = await db.CertificateBatchItems.OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(Ct);

        foreach (var item in items)
        {
            await using var a = database.CreateContext();
            await using var b = database.CreateContext();
            var outcomes = await Task.WhenAll(
                Task.Run(() => new CertificateService(a, _clock).MintAsync(item, Sign, Ct), Ct),
                Task.Run(() => new CertificateService(b, _clock).MintAsync(item, Sign, Ct), Ct));

            Assert.All(outcomes, o => Assert.Null(o.Error));
            Assert.Single(outcomes, o => o.Created);
            Assert.Equal(outcomes[0].Certificate!.Id, outcomes[1].Certificate!.Id);
        }

        await using var check = database.CreateContext();
        Assert.Equal(5, await check.Certificates.CountAsync(Ct));
        Assert.Equal(enrolments.Order(), (await check.Certificates.Select(c => c.EnrolmentId).ToListAsync(Ct)).Order());
        Assert.Equal(5, await check.CertificateAudit.CountAsync(a => a.Action == AuditAction.Issued, Ct));
        Assert.Equal(0, await check.CertificateBatchItems.CountAsync(i => i.CertificateId == null, Ct));
    }

    [Fact]
    public async Task MintAsync_OfTwoBatchesForOneEnrolment_AtOnce_CreatesExactlyOneCertificate()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var firstItem = await SingleItemAsync(cohort, CertificateKind.Completion, ana);
        var secondItem = await SingleItemAsync(cohort, CertificateKind.Completion, ana);

        await using var a = database.CreateContext();
        await using var b = database.CreateContext();
        var outcomes = await Task.WhenAll(
            Task.Run(() => new CertificateService(a, _clock).MintAsync(firstItem, Sign, Ct), Ct),
            Task.Run(() => new CertificateService(b, _clock).MintAsync(secondItem, Sign, Ct), Ct));

        Assert.Single(outcomes, o => o.Created);
        Assert.Equal(outcomes[0].Certificate!.Id, outcomes[1].Certificate!.Id);
        await using var db = database.CreateContext();
        Assert.Equal(1, await db.Certificates.CountAsync(Ct));
    }

    [Fact]
    public async Task Reissue_MintsANewRevision_AndSupersedesTheOld_WithTheAuditTrail()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lma");
        var original = (await MintAsync(await SingleItemAsync(cohort, CertificateKind.Completion, ana))).Certificate!;
        await RenameAsync("ana", "Ana Lima");
        _clock.Advance(TimeSpan.FromDays(2));

        var reissueItem = await ReissueItemAsync(original.Id);
        var outcome = await MintAsync(reissueItem);

        Assert.True(outcome.Created, outcome.Error);
        await using var db = database.CreateContext();
        var old = await db.Certificates.SingleAsync(c => c.Id == original.Id, Ct);
        var replacement = await db.Certificates.SingleAsync(c => c.Id == outcome.Certificate!.Id, Ct);
        Assert.Equal((CertificateStatus.Superseded, replacement.Id), (old.Status, old.SupersededById));
        Assert.Equal("Ana Lma", old.HolderName);
        Assert.Equal((2, CertificateStatus.Valid, (int?)old.Id, "Ana Lima"), (replacement.Revision, replacement.Status, replacement.ReplacesId, replacement.HolderName));
        Assert.Equal(Start.AddDays(2), replacement.IssuedAt);
        Assert.NotEqual(old.Serial, replacement.Serial);
        Assert.NotEqual(old.StatusListIndex, replacement.StatusListIndex);
        Assert.Null(old.RevokedAt);

        var audit = await db.CertificateAudit.Where(a => a.CertificateId != null).OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal([(AuditAction.Issued, (int?)old.Id), (AuditAction.Reissued, replacement.Id)], audit.Select(a => (a.Action, a.CertificateId)));
        Assert.Contains(old.Serial, audit[1].Detail, StringComparison.Ordinal);
        Assert.Contains(replacement.Serial, audit[1].Detail, StringComparison.Ordinal);
        Assert.Equal("coord", audit[1].ActorId);

        var candidate = Assert.Single(await CandidatesAsync(cohort));
        Assert.Equal(replacement.Id, candidate.Current(CertificateKind.Completion)!.Id);
    }

    [Fact]
    public async Task Reissue_RetriedAfterItSucceeded_LinksTheSameReplacement()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var original = (await MintAsync(await SingleItemAsync(cohort, CertificateKind.Completion, ana))).Certificate!;
        // Two re-issues of the same certificate requested before either ran (a double click, or two coordinators).
        var firstRequest = await ReissueItemAsync(original.Id);
        var secondRequest = await ReissueItemAsync(original.Id);

        var made = await MintAsync(firstRequest);
        var retried = await MintAsync(firstRequest);
        var duplicate = await MintAsync(secondRequest);

        Assert.True(made.Created, made.Error);
        Assert.False(retried.Created);
        Assert.False(duplicate.Created, duplicate.Error);
        Assert.Null(duplicate.Error);
        Assert.Equal(made.Certificate!.Id, retried.Certificate!.Id);
        Assert.Equal(made.Certificate.Id, duplicate.Certificate!.Id);
        await using var db = database.CreateContext();
        Assert.Equal(2, await db.Certificates.CountAsync(Ct));
        Assert.Equal(made.Certificate.Id, (await db.CertificateBatchItems.SingleAsync(i => i.Id == secondRequest, Ct)).CertificateId);
        Assert.Single(await db.CertificateAudit.Where(a => a.Action == AuditAction.Reissued).ToListAsync(Ct));
        // The superseded certificate can no longer be re-issued itself.
        await using var again = database.CreateContext();
        Assert.Null(await new CertificateService(again, _clock).StartReissueAsync(original.Id, "coord", Ct));
    }

    [Fact]
    public async Task Reissue_OfACertificateRevokedMeanwhile_FailsClearly()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var original = (await MintAsync(await SingleItemAsync(cohort, CertificateKind.Completion, ana))).Certificate!;
        var request = await ReissueItemAsync(original.Id);
        Assert.True(await RevokeAsync(original.Id, "Issued in error"));

        var outcome = await MintAsync(request);

        Assert.Null(outcome.Certificate);
        Assert.Contains("no longer", outcome.Error, StringComparison.Ordinal);
        await using var db = database.CreateContext();
        Assert.Equal(CertificateStatus.Revoked, (await db.Certificates.SingleAsync(Ct)).Status);
    }

    [Fact]
    public async Task RevokeAsync_MarksRevoked_WithDateAndReason_AndAudits_Once()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var ben = await TraineeAsync(cohort, "ben", "Ben Okafor");
        await using (var db = database.CreateContext())
            await new CertificateService(db, _clock).StartBatchAsync(cohort, CertificateKind.Completion, [ana, ben], "coord", Ct);
        var minted = new List<Certificate>();
        foreach (var item in await ItemIdsAsync())
            minted.Add((await MintAsync(item)).Certificate!);
        var revoked = minted.Single(c => c.EnrolmentId == ana);
        var kept = minted.Single(c => c.EnrolmentId == ben);
        _clock.Advance(TimeSpan.FromHours(3));

        Assert.True(await RevokeAsync(revoked.Id, "  Issued to the wrong cohort.  ", "coord"));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.False(await RevokeAsync(revoked.Id, "Again", "other"));

        await using var check = database.CreateContext();
        var row = await check.Certificates.SingleAsync(c => c.Id == revoked.Id, Ct);
        Assert.Equal((CertificateStatus.Revoked, (DateTime?)Start.AddHours(3), "coord", "Issued to the wrong cohort."),
            (row.Status, row.RevokedAt, row.RevokedById, row.RevocationReason));
        Assert.Equal(CertificateStatus.Valid, (await check.Certificates.SingleAsync(c => c.Id == kept.Id, Ct)).Status);
        var audit = Assert.Single(await check.CertificateAudit.Where(a => a.Action == AuditAction.Revoked).ToListAsync(Ct));
        Assert.Equal((revoked.Id, "coord", Start.AddHours(3)), (audit.CertificateId, audit.ActorId, audit.At));
        Assert.Contains("Issued to the wrong cohort.", audit.Detail, StringComparison.Ordinal);

        // Revoked shows revoked: the status list built from the database sets this certificate's bit, not the other's.
        var list = StatusList.Encode(await check.Certificates.Where(c => c.Status == CertificateStatus.Revoked).Select(c => c.StatusListIndex).ToListAsync(Ct));
        Assert.True(StatusList.IsSet(list, revoked.StatusListIndex));
        Assert.False(StatusList.IsSet(list, kept.StatusListIndex));

        // Revoking what does not exist, or a superseded certificate, changes nothing.
        Assert.False(await RevokeAsync(999_999, "No such certificate"));
    }

    [Fact]
    public async Task ARevokedCertificate_ReissuedThroughANewBatch_GetsANewValidRevision()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var first = (await MintAsync(await SingleItemAsync(cohort, CertificateKind.Completion, ana))).Certificate!;
        Assert.True(await RevokeAsync(first.Id, "Issued before the final session"));
        await using (var db = database.CreateContext())
            Assert.Null(await new CertificateService(db, _clock).StartReissueAsync(first.Id, "coord", Ct));

        var outcome = await MintAsync(await SingleItemAsync(cohort, CertificateKind.Completion, ana));

        Assert.True(outcome.Created, outcome.Error);
        await using var check = database.CreateContext();
        var all = await check.Certificates.OrderBy(c => c.Revision).ToListAsync(Ct);
        Assert.Equal([(1, CertificateStatus.Revoked), (2, CertificateStatus.Valid)], all.Select(c => (c.Revision, c.Status)));
        Assert.Null(all[1].ReplacesId);
        var candidate = Assert.Single(await CandidatesAsync(cohort));
        Assert.Equal(2, candidate.Current(CertificateKind.Completion)!.Revision);
    }

    [Fact]
    public async Task MintAsync_FailsClearly_ForAWithdrawnEnrolment()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana Lima");
        var item = await SingleItemAsync(cohort, CertificateKind.Completion, ana);
        await using (var db = database.CreateContext())
            await db.Enrolments.Where(e => e.Id == ana).ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, EnrolmentStatus.Withdrawn), Ct);

        var outcome = await MintAsync(item);

        Assert.Null(outcome.Certificate);
        Assert.False(outcome.Created);
        Assert.Contains("enrolment is no longer active", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, _signed);
        await using var check = database.CreateContext();
        Assert.Equal(0, await check.Certificates.CountAsync(Ct));
        Assert.Null((await check.CertificateBatchItems.SingleAsync(i => i.Id == item, Ct)).CertificateId);
        // And a withdrawn enrolment is never put in a batch in the first place.
        Assert.Null(await new CertificateService(check, _clock).StartBatchAsync(cohort, CertificateKind.Completion, [ana], "coord", Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task MintAsync_FailsClearly_ForAnEmptyProfileName(string name)
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", name);
        var item = await SingleItemAsync(cohort, CertificateKind.Completion, ana);

        var outcome = await MintAsync(item);

        Assert.Null(outcome.Certificate);
        Assert.Contains("full name", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, _signed);
        await using var check = database.CreateContext();
        Assert.Equal(0, await check.Certificates.CountAsync(Ct));
        Assert.Equal(0, await check.CertificateAudit.CountAsync(a => a.Action == AuditAction.Issued, Ct));
    }

    [Fact]
    public async Task MintAsync_FailsClearly_ForAnUnknownItem()
    {
        var outcome = await MintAsync(424_242);

        Assert.Contains("424242", outcome.Error, StringComparison.Ordinal);
        Assert.Null(outcome.Certificate);
    }

    [Theory]
    [InlineData("فاطمة الزهراء")]
    [InlineData("王芳")]
    public async Task MintAsync_CopiesTheProfileNameExactly(string name)
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", $"  {name} ");

        var outcome = await MintAsync(await SingleItemAsync(cohort, CertificateKind.Completion, ana));

        await using var db = database.CreateContext();
        var stored = await db.Certificates.SingleAsync(Ct);
        Assert.Equal(name, stored.HolderName);
        var payload = VcJwt.Verify(stored.CredentialJwt, TestKeys.Ring(), _clock.GetUtcNow()).Payload!;
        Assert.Equal(name, payload["credentialSubject"]!["identifier"]![0]!["identityHash"]!.GetValue<string>());
        Assert.True(outcome.Created);
    }

    [Fact]
    public async Task CandidatesAsync_ReportsCompletedFromTheRecord_AndTheAttendedPercent()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana");   // completion recorded earlier, lessons since un-done
        var ben = await TraineeAsync(cohort, "ben", "Ben");   // meets the rule now, not recorded yet
        var chen = await TraineeAsync(cohort, "chen", "Chen"); // neither
        var dora = await TraineeAsync(cohort, "dora", "Dora");
        await Seed.LessonsDoneAsync("ben", AllLessons);
        await Seed.LessonsDoneAsync("chen", "first");
        await using (var db = database.CreateContext())
        {
            db.CompletionRecords.Add(new CompletionRecord { EnrolmentId = ana, CompletedAt = Start.AddDays(-3), RuleVersion = 1, RuleDescription = "v1" });
            await db.Enrolments.Where(e => e.Id == dora).ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, EnrolmentStatus.Withdrawn), Ct);
            // One ended 60-minute session, one cancelled and one to come (neither counts).
            var ended = Session(cohort, Start.AddHours(-4));
            var cancelled = Session(cohort, Start.AddHours(-8));
            cancelled.Cancelled = true;
            db.LiveSessions.AddRange(ended, cancelled, Session(cohort, Start.AddHours(4)));
            await db.SaveChangesAsync(Ct);
            db.AttendanceVisits.AddRange(
                Visit(ended, "ana", 0, 45),
                Visit(ended, "ben", 0, 20),
                Visit(ended, "ben", 10, 29),
                Visit(cancelled, "chen", 0, 60));
            await db.SaveChangesAsync(Ct);
        }

        var candidates = (await CandidatesAsync(cohort)).ToDictionary(c => c.EnrolmentId);

        Assert.Equal(new[] { ana, ben, chen }.Order(), candidates.Keys.Order());
        Assert.Equal((true, false), (candidates[ana].Completed, candidates[ana].Report.IsComplete));
        Assert.Equal((true, true), (candidates[ben].Completed, candidates[ben].Report.IsComplete));
        Assert.Equal((false, false), (candidates[chen].Completed, candidates[chen].Report.IsComplete));
        Assert.Equal((int?)75, candidates[ana].AttendedPercent);
        Assert.Equal((int?)48, candidates[ben].AttendedPercent);
        Assert.Equal((int?)0, candidates[chen].AttendedPercent);
        Assert.True(candidates[ana].EligibleFor(CertificateKind.Participation, 75));
        Assert.False(candidates[ben].EligibleFor(CertificateKind.Participation, 75));
        Assert.True(candidates[ben].EligibleFor(CertificateKind.Completion, 75));
        Assert.False(candidates[chen].EligibleFor(CertificateKind.Completion, 75));
        Assert.Equal(("ana@example.org", "Ana"), (candidates[ana].Email, candidates[ana].Name));
    }

    [Fact]
    public async Task CandidatesAsync_HasNoAttendedPercent_WhenNoSessionHasEnded()
    {
        var cohort = await CohortAsync();
        var ana = await TraineeAsync(cohort, "ana", "Ana");
        await using (var db = database.CreateContext())
        {
            db.LiveSessions.Add(Session(cohort, Start.AddHours(1)));
            await db.SaveChangesAsync(Ct);
        }

        var candidate = Assert.Single(await CandidatesAsync(cohort));

        Assert.Equal(ana, candidate.EnrolmentId);
        Assert.Null(candidate.AttendedPercent);
        Assert.False(candidate.EligibleFor(CertificateKind.Participation, 0));
    }

    private string Sign(Certificate certificate, CohortFacts facts)
    {
        Interlocked.Increment(ref _signed);
        return VcJwt.Sign(OpenBadgeCredential.Build(certificate, facts.CourseSlug, facts.CourseSummary, CertificateSamples.Issuer), TestKeys.Issuer);
    }

    private Task<int> CohortAsync() =>
        Seed.CohortAsync(new CompletionRule { LessonSharePercent = 100, Quizzes = QuizRequirement.None });

    private async Task<int> TraineeAsync(int cohortId, string userId, string fullName)
    {
        await Seed.UsersAsync(userId);
        await RenameAsync(userId, fullName);
        return await Seed.EnrolAsync(cohortId, userId);
    }

    private async Task RenameAsync(string userId, string fullName)
    {
        await using var db = database.CreateContext();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.FullName, fullName), Ct);
    }

    private async Task<int> SingleItemAsync(int cohortId, CertificateKind kind, int enrolmentId)
    {
        await using var db = database.CreateContext();
        var batch = await new CertificateService(db, _clock).StartBatchAsync(cohortId, kind, [enrolmentId], "coord", Ct);
        Assert.NotNull(batch);
        return Assert.Single(batch.Items).Id;
    }

    private async Task<int> ReissueItemAsync(int certificateId)
    {
        await using var db = database.CreateContext();
        var batch = await new CertificateService(db, _clock).StartReissueAsync(certificateId, "coord", Ct);
        Assert.NotNull(batch);
        var item = Assert.Single(batch.Items);
        Assert.Equal(certificateId, item.ReplacesId);
        return item.Id;
    }

    private async Task<List<int>> ItemIdsAsync()
    {
        await using var db = database.CreateContext();
        return await db.CertificateBatchItems.OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(Ct);
    }

    private async Task<MintOutcome> MintAsync(int itemId)
    {
        await using var db = database.CreateContext();
        return await new CertificateService(db, _clock).MintAsync(itemId, Sign, Ct);
    }

    private async Task<bool> RevokeAsync(int certificateId, string reason, string actor = "coord")
    {
        await using var db = database.CreateContext();
        return await new CertificateService(db, _clock).RevokeAsync(certificateId, reason, actor, Ct);
    }

    private async Task<IReadOnlyList<CertificateCandidate>> CandidatesAsync(int cohortId)
    {
        await using var db = database.CreateContext();
        return await new CertificateService(db, _clock).CandidatesAsync(cohortId, Ct);
    }

    private static LiveSession Session(int cohortId, DateTime startsAt) => new()
    {
        CohortId = cohortId, Title = "Lecture", StartsAt = startsAt, DurationMinutes = 60, CreatedAt = startsAt.AddDays(-7),
    };

    private static AttendanceVisit Visit(LiveSession session, string userId, int fromMinute, int toMinute) => new()
    {
        SessionId = session.Id, UserId = userId, ConnectionId = Guid.NewGuid().ToString("N"),
        JoinedAt = session.StartsAt.AddMinutes(fromMinute), LastSeenAt = session.StartsAt.AddMinutes(toMinute), LeftAt = session.StartsAt.AddMinutes(toMinute),
    };
}
