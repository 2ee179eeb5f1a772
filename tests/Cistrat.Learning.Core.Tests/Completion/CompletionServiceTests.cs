using System.Data.Common;
using System.Text.Json;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Core.Tests.Content;
using Cistrat.Learning.Core.Tests.Quizzes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cistrat.Learning.Core.Tests.Completion;

/// <summary>CompletionService over a real SQLite database: the demo course (4 lessons) with one quiz, "basics-quiz".</summary>
public sealed class CompletionServiceTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly string[] AllLessons = ["first", "second", "third", "fourth"];
    private static readonly string[] TheQuiz = ["basics-quiz"];
    private static readonly DateTime Start = new(2026, 6, 30, 20, 0, 0, DateTimeKind.Utc);

    // 20:00 UTC on 30 June is already 1 July in Dili (UTC+9).
    private readonly ManualClock _clock = new(new DateTimeOffset(Start));
    private readonly ContentFolder _content = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LearningSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync(Ct);
        _content.WithDemoCourse().Write("demo/01-basics/quiz.yml", QuizYaml.With(attempts: 0, timeLimitMinutes: null));
        await Seed.ImportAsync(_content);
    }

    public ValueTask DisposeAsync()
    {
        _content.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task EvaluateCohort_RecordsOneCompletionAndOneOutboxMessage_PerCompletedEnrolment()
    {
        var rule = new CompletionRule();
        var cohort = await Seed.CohortAsync(rule);
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, TheQuiz);
        var ben = await Seed.TraineeAsync(cohort, "ben", ["first", "second", "third"], TheQuiz);
        var chen = await Seed.TraineeAsync(cohort, "chen", AllLessons, []);
        await Seed.AttemptAsync(chen, "chen", "basics-quiz", passed: false);
        await Seed.TraineeAsync(cohort, "dora", AllLessons, TheQuiz, EnrolmentStatus.Withdrawn);
        var eve = await Seed.TraineeAsync(cohort, "eve", AllLessons, TheQuiz);

        var reports = await EvaluateAsync(cohort);

        Assert.Equal(new[] { ana, ben, chen, eve }.Order(), reports.Keys.Order());
        Assert.Equal([true, false, false, true], new[] { ana, ben, chen, eve }.Select(e => reports[e].IsComplete));
        await using var db = database.CreateContext();
        var records = await db.CompletionRecords.OrderBy(r => r.EnrolmentId).ToListAsync(Ct);
        Assert.Equal([ana, eve], records.Select(r => r.EnrolmentId));
        Assert.All(records, r => Assert.Equal((Start, 1, rule.Describe()), (r.CompletedAt, r.RuleVersion, r.RuleDescription)));
        var messages = await db.OutboxMessages.OrderBy(m => m.Id).ToListAsync(Ct);
        Assert.Equal([$"CompletionReached:{ana}", $"CompletionReached:{eve}"], messages.Select(m => m.Key).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Equal((CompletionService.CompletionReachedKind, Start, (DateTime?)null), (m.Kind, m.CreatedAt, m.ProcessedAt)));
        var payload = JsonDocument.Parse(messages.Single(m => m.Key == $"CompletionReached:{ana}").PayloadJson).RootElement;
        Assert.Equal((ana, cohort, "ana", 1), (payload.GetProperty("enrolmentId").GetInt32(), payload.GetProperty("cohortId").GetInt32(),
            payload.GetProperty("userId").GetString(), payload.GetProperty("ruleVersion").GetInt32()));
    }

    [Fact]
    public async Task EvaluateCohort_ReportsWhatIsMissing()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var ben = await Seed.TraineeAsync(cohort, "ben", ["first", "third"], []);

        var report = (await EvaluateAsync(cohort))[ben];

        var lessons = Assert.Single(report.Parts, p => p.Kind == CompletionPartKind.Lessons);
        Assert.Equal((2, 4), (lessons.Done, lessons.Required));
        Assert.Equal(["Basics check"], Assert.Single(report.Parts, p => p.Kind == CompletionPartKind.Quizzes).Missing);
    }

    [Fact]
    public async Task EvaluateCohort_Twice_StillLeavesOneRecordAndOneMessage()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, TheQuiz);
        await EvaluateAsync(cohort);
        _clock.Advance(TimeSpan.FromHours(1));

        var again = await EvaluateAsync(cohort);

        Assert.True(again[ana].IsComplete);
        await using var db = database.CreateContext();
        var record = await db.CompletionRecords.SingleAsync(Ct);
        Assert.Equal((ana, Start), (record.EnrolmentId, record.CompletedAt));
        Assert.Equal($"CompletionReached:{ana}", (await db.OutboxMessages.SingleAsync(Ct)).Key);
    }

    [Fact]
    public async Task EvaluateCohort_OnTwoContextsAtOnce_StillLeavesOneRecordAndOneMessagePerEnrolment()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var users = Enumerable.Range(1, 20).Select(i => $"t{i:00}").ToArray();
        await Seed.UsersAsync(users);
        await BulkTraineesAsync(cohort, users);

        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var reports = await Task.WhenAll(
            new CompletionService(first, _clock).EvaluateCohortAsync(cohort, Ct),
            new CompletionService(second, _clock).EvaluateCohortAsync(cohort, Ct));

        Assert.All(reports, r => Assert.Equal(20, r.Values.Count(c => c.IsComplete)));
        await using var db = database.CreateContext();
        var enrolments = await db.Enrolments.Select(e => e.Id).OrderBy(id => id).ToListAsync(Ct);
        Assert.Equal(enrolments, await db.CompletionRecords.Select(r => r.EnrolmentId).OrderBy(id => id).ToListAsync(Ct));
        Assert.Equal(enrolments.Select(id => $"CompletionReached:{id}").Order(StringComparer.Ordinal),
            (await db.OutboxMessages.Select(m => m.Key).ToListAsync(Ct)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EvaluateEnrolment_OnTwoContextsAtOnce_StillLeavesOneRecordAndOneMessage()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, TheQuiz);

        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var reports = await Task.WhenAll(
            new CompletionService(first, _clock).EvaluateEnrolmentAsync(ana, Ct),
            new CompletionService(second, _clock).EvaluateEnrolmentAsync(ana, Ct));

        Assert.All(reports, r => Assert.True(r!.IsComplete));
        await using var db = database.CreateContext();
        Assert.Equal(ana, (await db.CompletionRecords.SingleAsync(Ct)).EnrolmentId);
        Assert.Equal(1, await db.OutboxMessages.CountAsync(Ct));
    }

    [Fact]
    public async Task EvaluateCohort_AfterARuleChange_RecordsNewCompletions_AndKeepsEarlierOnesUnderTheirVersion()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, TheQuiz);
        var ben = await Seed.TraineeAsync(cohort, "ben", ["first", "second", "third"], TheQuiz);
        var chen = await Seed.TraineeAsync(cohort, "chen", ["first", "second", "third"], []);
        await EvaluateAsync(cohort);
        _clock.Advance(TimeSpan.FromDays(1));
        await Seed.ChangeRuleAsync(cohort, r => r.LessonSharePercent = 75);

        var reports = await EvaluateAsync(cohort);

        Assert.Equal([true, true, false], new[] { ana, ben, chen }.Select(e => reports[e].IsComplete));
        await using var db = database.CreateContext();
        var records = await db.CompletionRecords.ToDictionaryAsync(r => r.EnrolmentId, Ct);
        Assert.Equal([ana, ben], records.Keys.Order());
        Assert.Equal((1, Start), (records[ana].RuleVersion, records[ana].CompletedAt));
        Assert.Equal((2, Start.AddDays(1)), (records[ben].RuleVersion, records[ben].CompletedAt));
        Assert.StartsWith("v2: lessons 75%", records[ben].RuleDescription, StringComparison.Ordinal);
        Assert.Equal(2, await db.OutboxMessages.CountAsync(Ct));
    }

    [Fact]
    public async Task EvaluateCohort_AfterARuleIsTightened_KeepsTheRecordAlreadyWritten()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule { Quizzes = QuizRequirement.None });
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, []);
        await EvaluateAsync(cohort);
        await Seed.ChangeRuleAsync(cohort, r => r.Quizzes = QuizRequirement.All);

        var reports = await EvaluateAsync(cohort);

        Assert.False(reports[ana].IsComplete);
        await using var db = database.CreateContext();
        var record = await db.CompletionRecords.SingleAsync(Ct);
        Assert.Equal((ana, 1), (record.EnrolmentId, record.RuleVersion));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(Ct));
    }

    [Fact]
    public async Task EvaluateCohort_CountsOnlyLessonsThatAreNotRetired()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var ben = await Seed.TraineeAsync(cohort, "ben", ["first", "third", "fourth"], TheQuiz);
        var chen = await Seed.TraineeAsync(cohort, "chen", ["first", "second", "third"], TheQuiz);
        Assert.All((await ReportAsync(cohort)).Values, r => Assert.False(r.IsComplete));
        _content.Delete("demo/01-basics/02-second.md");
        await Seed.ImportAsync(_content);

        var reports = await EvaluateAsync(cohort);

        Assert.True(reports[ben].IsComplete);
        Assert.False(reports[chen].IsComplete);
        var lessons = Assert.Single(reports[chen].Parts, p => p.Kind == CompletionPartKind.Lessons);
        Assert.Equal((2, 3), (lessons.Done, lessons.Required));
        await using var db = database.CreateContext();
        Assert.Equal(ben, (await db.CompletionRecords.SingleAsync(Ct)).EnrolmentId);
    }

    [Fact]
    public async Task EvaluateCohort_IgnoresLessonsDoneInAnotherCourse()
    {
        _content.WithDemoCourse(folder: "other", slug: "other");
        await Seed.ImportAsync(_content);
        var cohort = await CohortOfCourseAsync("demo", new CompletionRule { Quizzes = QuizRequirement.None });
        await Seed.UsersAsync("ana");
        var ana = await Seed.EnrolAsync(cohort, "ana");
        await using (var db = database.CreateContext())
        {
            var other = await db.Courses.Where(c => c.Slug == "other").Select(c => c.Id).SingleAsync(Ct);
            var otherLessons = await db.Lessons.Where(l => l.CourseId == other).ToListAsync(Ct);
            db.LessonProgress.AddRange(otherLessons.Select(l => new LessonProgress
            {
                UserId = "ana", LessonId = l.Id, CourseId = l.CourseId, FirstVisitedAt = Start, LastVisitedAt = Start, CompletedAt = Start,
            }));
            await db.SaveChangesAsync(Ct);
        }

        var reports = await EvaluateAsync(cohort);

        Assert.Equal(0, Assert.Single(reports[ana].Parts, p => p.Kind == CompletionPartKind.Lessons).Done);
        Assert.False(reports[ana].IsComplete);
    }

    [Fact]
    public async Task EvaluateCohort_DoesNotComplete_OnceTheFinalDateHasPassedInTheCohortsTimeZone()
    {
        var rule = new CompletionRule { FinalDate = new DateOnly(2026, 6, 30) };
        var utc = await Seed.CohortAsync(rule, "Etc/UTC", "In UTC");
        var dili = await Seed.CohortAsync(new CompletionRule { FinalDate = new DateOnly(2026, 6, 30) }, "Asia/Dili", "In Dili");
        var inUtc = await Seed.TraineeAsync(utc, "ana", AllLessons, TheQuiz);
        var inDili = await Seed.EnrolAsync(dili, "ana");
        await Seed.AttemptAsync(inDili, "ana", "basics-quiz", passed: true);

        var utcReports = await EvaluateAsync(utc);
        var diliReports = await EvaluateAsync(dili);

        Assert.True(utcReports[inUtc].IsComplete);
        Assert.False(diliReports[inDili].IsComplete);
        Assert.Equal(["2026-06-30"], Assert.Single(diliReports[inDili].Parts, p => p.Kind == CompletionPartKind.FinalDate).Missing);
        await using var db = database.CreateContext();
        Assert.Equal(inUtc, (await db.CompletionRecords.SingleAsync(Ct)).EnrolmentId);
    }

    [Fact]
    public async Task EvaluateCohort_IgnoresPassedAttemptsOfAnotherEnrolment()
    {
        var earlier = await Seed.CohortAsync(new CompletionRule(), name: "Earlier");
        var current = await Seed.CohortAsync(new CompletionRule(), name: "Current");
        await Seed.TraineeAsync(earlier, "ana", AllLessons, TheQuiz, EnrolmentStatus.Withdrawn);
        var ana = await Seed.EnrolAsync(current, "ana");

        var reports = await EvaluateAsync(current);

        Assert.False(reports[ana].IsComplete);
        Assert.Equal(["Basics check"], Assert.Single(reports[ana].Parts, p => p.Kind == CompletionPartKind.Quizzes).Missing);
    }

    [Fact]
    public async Task ACohortCreatedWithLessonsSwitchedOff_KeepsLessonSharePercentZero()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule { LessonSharePercent = 0 });

        var stored = await Seed.WithContextAsync(db => db.Cohorts.AsNoTracking().SingleAsync(c => c.Id == cohort, Ct));

        Assert.Equal(0, stored.CompletionRule.LessonSharePercent);
    }

    [Fact]
    public async Task EvaluateCohort_WithLessonsSwitchedOff_CompletesOnTheQuizAlone()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.All });
        var ana = await Seed.TraineeAsync(cohort, "ana", [], TheQuiz);

        var reports = await EvaluateAsync(cohort);

        Assert.True(reports[ana].IsComplete);
        Assert.False(Assert.Single(reports[ana].Parts, p => p.Kind == CompletionPartKind.Lessons).Applies);
    }

    [Fact]
    public async Task ReportCohort_WritesNothing()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, TheQuiz);

        var reports = await ReportAsync(cohort);
        CompletionReport? one;
        await using (var context = database.CreateContext())
            one = await new CompletionService(context, _clock).ReportEnrolmentAsync(cohort, ana, Ct);

        Assert.True(reports[ana].IsComplete);
        Assert.True(one!.IsComplete);
        await using var db = database.CreateContext();
        Assert.Equal(0, await db.CompletionRecords.CountAsync(Ct));
        Assert.Equal(0, await db.OutboxMessages.CountAsync(Ct));
    }

    [Fact]
    public async Task EvaluateCohort_RunsAFixedNumberOfQueries_ForTwoHundredEnrolments()
    {
        var cohort = await Seed.CohortAsync(new CompletionRule());
        var users = Enumerable.Range(1, 200).Select(i => $"t{i:000}").ToArray();
        await Seed.UsersAsync(users);
        await BulkTraineesAsync(cohort, users);
        var recording = new CommandLog();
        var again = new CommandLog();

        await using (var db = CountingContext(recording))
            await new CompletionService(db, _clock).EvaluateCohortAsync(cohort, Ct);
        await using (var db = CountingContext(again))
            await new CompletionService(db, _clock).EvaluateCohortAsync(cohort, Ct);

        await using var check = database.CreateContext();
        Assert.Equal(200, await check.CompletionRecords.CountAsync(Ct));
        Assert.Equal(200, await check.OutboxMessages.CountAsync(Ct));
        Assert.True(again.Commands.Count < 15,
            $"re-evaluating 200 enrolments ran {again.Commands.Count} SQL commands; expected fewer than 15:\n{again}");
        // SQLite's EF provider does not batch: it sends one INSERT per new row. Everything else must not grow with the cohort.
        var inserts = recording.Commands.Where(c => c.Contains("INSERT INTO", StringComparison.Ordinal)).ToList();
        Assert.All(inserts, c => Assert.True(c.Contains("\"CompletionRecords\"", StringComparison.Ordinal) || c.Contains("\"OutboxMessages\"", StringComparison.Ordinal), c));
        Assert.True(inserts.Count <= 400, $"{inserts.Count} INSERT commands for 200 completions");
        var queries = recording.Commands.Count - inserts.Count;
        Assert.True(queries < 15, $"recording 200 completions ran {queries} SQL commands besides the INSERTs; expected fewer than 15:\n{recording}");
    }

    [Fact]
    public async Task EvaluateCohort_RunsTheSameQueries_ForTwentyAsForTwoHundredEnrolments()
    {
        var small = await Seed.CohortAsync(new CompletionRule(), name: "Small");
        var large = await Seed.CohortAsync(new CompletionRule(), name: "Large");
        var users = Enumerable.Range(1, 200).Select(i => $"t{i:000}").ToArray();
        await Seed.UsersAsync(users);
        await BulkTraineesAsync(small, users[..20]);
        await BulkTraineesAsync(large, users[20..]);
        await EvaluateAsync(small);
        await EvaluateAsync(large);
        var twenty = new CommandLog();
        var twoHundred = new CommandLog();

        await using (var db = CountingContext(twenty))
            await new CompletionService(db, _clock).EvaluateCohortAsync(small, Ct);
        await using (var db = CountingContext(twoHundred))
            await new CompletionService(db, _clock).EvaluateCohortAsync(large, Ct);

        Assert.Equal(twenty.Commands.Count, twoHundred.Commands.Count);
    }

    [Fact]
    public async Task AttendancePart_CountsTheUnionOfVisits_ToEndedSessionsOnly()
    {
        var rule = new CompletionRule { AttendanceSharePercent = 50 };
        var cohort = await Seed.CohortAsync(rule);
        var ana = await Seed.TraineeAsync(cohort, "ana", AllLessons, TheQuiz);
        var ben = await Seed.TraineeAsync(cohort, "ben", AllLessons, TheQuiz);
        await using (var db = database.CreateContext())
        {
            // Two ended sessions of 60 minutes (120 scheduled), one cancelled, one still to come: neither of those counts.
            var ended1 = Session(cohort, Start.AddHours(-5), cancelled: false);
            var ended2 = Session(cohort, Start.AddHours(-3), cancelled: false);
            db.LiveSessions.AddRange(ended1, ended2, Session(cohort, Start.AddHours(-8), cancelled: true), Session(cohort, Start.AddHours(2), cancelled: false));
            await db.SaveChangesAsync(Ct);
            // Ana: 40 minutes in the first session in two overlapping tabs (count once), 25 in the second = 65 of 120.
            // Ben: joined 50 minutes early and stayed 20 minutes into the first session, so only 20 count = 20 of 120.
            db.AttendanceVisits.AddRange(
                Visit(ended1.Id, "ana", ended1.StartsAt, ended1.StartsAt.AddMinutes(40)),
                Visit(ended1.Id, "ana", ended1.StartsAt.AddMinutes(10), ended1.StartsAt.AddMinutes(30)),
                Visit(ended2.Id, "ana", ended2.StartsAt.AddMinutes(35), ended2.StartsAt.AddMinutes(90)),
                Visit(ended1.Id, "ben", ended1.StartsAt.AddMinutes(-50), ended1.StartsAt.AddMinutes(20)));
            await db.SaveChangesAsync(Ct);
        }

        var reports = await EvaluateAsync(cohort);

        var anaPart = Assert.Single(reports[ana].Parts, p => p.Kind == CompletionPartKind.Attendance);
        var benPart = Assert.Single(reports[ben].Parts, p => p.Kind == CompletionPartKind.Attendance);
        Assert.Equal((true, true, 54, 50), (anaPart.Applies, anaPart.Met, anaPart.Done, anaPart.Required));
        Assert.Equal((true, false, 16, 50), (benPart.Applies, benPart.Met, benPart.Done, benPart.Required));
        Assert.Equal([true, false], new[] { ana, ben }.Select(e => reports[e].IsComplete));
    }

    private static Cistrat.Learning.Core.Live.LiveSession Session(int cohortId, DateTime startsAt, bool cancelled) => new()
    {
        CohortId = cohortId, Title = "Lecture", StartsAt = startsAt, DurationMinutes = 60, Cancelled = cancelled, CreatedAt = startsAt,
    };

    private static Cistrat.Learning.Core.Live.AttendanceVisit Visit(int sessionId, string userId, DateTime joined, DateTime left) => new()
    {
        SessionId = sessionId, UserId = userId, ConnectionId = Guid.NewGuid().ToString("N"), JoinedAt = joined, LastSeenAt = left, LeftAt = left,
    };

    private async Task<IReadOnlyDictionary<int, CompletionReport>> EvaluateAsync(int cohortId)
    {
        await using var db = database.CreateContext();
        return await new CompletionService(db, _clock).EvaluateCohortAsync(cohortId, Ct);
    }

    private async Task<IReadOnlyDictionary<int, CompletionReport>> ReportAsync(int cohortId)
    {
        await using var db = database.CreateContext();
        return await new CompletionService(db, _clock).ReportCohortAsync(cohortId, Ct);
    }

    private async Task<int> CohortOfCourseAsync(string courseSlug, CompletionRule rule)
    {
        await using var db = database.CreateContext();
        var cohort = new Cohort
        {
            CourseId = await db.Courses.Where(c => c.Slug == courseSlug).Select(c => c.Id).SingleAsync(Ct), Name = courseSlug,
            StartsOn = new DateOnly(2026, 1, 1), EndsOn = new DateOnly(2026, 12, 31), CompletionRule = rule,
        };
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync(Ct);
        return cohort.Id;
    }

    /// <summary>Active enrolments that have done every lesson and passed the quiz, written in one save.</summary>
    private async Task BulkTraineesAsync(int cohortId, string[] users)
    {
        await using var db = database.CreateContext();
        var lessons = await db.Lessons.ToListAsync(Ct);
        var quiz = await db.Quizzes.SingleAsync(Ct);
        var enrolments = users.Select(u => new Enrolment { CohortId = cohortId, UserId = u, Status = EnrolmentStatus.Active, RequestedAt = Start }).ToList();
        db.Enrolments.AddRange(enrolments);
        await db.SaveChangesAsync(Ct);
        foreach (var enrolment in enrolments)
        {
            db.LessonProgress.AddRange(lessons.Select(l => new LessonProgress
            {
                UserId = enrolment.UserId, LessonId = l.Id, CourseId = l.CourseId, FirstVisitedAt = Start, LastVisitedAt = Start, CompletedAt = Start,
            }));
            db.QuizAttempts.Add(new QuizAttempt
            {
                QuizId = quiz.Id, EnrolmentId = enrolment.Id, UserId = enrolment.UserId, Number = 1, StartedAt = Start, SubmittedAt = Start,
                Score = 6, MaxScore = 6, Percent = 100, Passed = true,
            });
        }

        await db.SaveChangesAsync(Ct);
    }

    /// <summary>A context on the same database file as <see cref="SqliteDatabase.CreateContext"/>, logging every command it runs.</summary>
    private LearningDbContext CountingContext(CommandLog log)
    {
        string connectionString;
        using (var plain = database.CreateContext())
            connectionString = plain.Database.GetConnectionString()!;
        return new LearningDbContext(new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite(connectionString, o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .AddInterceptors(log)
            .Options);
    }

    private sealed class CommandLog : DbCommandInterceptor
    {
        public List<string> Commands { get; } = [];

        public override string ToString() => string.Join("\n---\n", Commands);

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Commands.Add(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Commands.Add(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Commands.Add(command.CommandText);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
