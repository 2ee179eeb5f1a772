using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Core.Tests.Completion;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Core.Tests.Quizzes;

/// <summary>
/// QuizAttemptService over a real SQLite database. "basics-quiz" is <see cref="QuizYaml.Good"/>: 2 attempts, 10 minutes,
/// pass mark 60%, 6 points; "advanced-quiz" is another quiz of the course. Ana has an active enrolment; each call
/// uses a context of its own, as each web request does.
/// </summary>
public sealed class QuizAttemptServiceTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 5, 4, 9, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(10);

    private static readonly Dictionary<string, QuestionAnswer> AllRight = new()
    {
        ["q1"] = new(Options: ["a"]),
        ["q2"] = new(Options: ["a", "c"]),
        ["q3"] = new(Text: "false"),
        ["q4"] = new(Text: "open science"),
        ["q5"] = new(Text: "0,3"),
    };

    private static readonly Dictionary<string, QuestionAnswer> AllWrong = new()
    {
        ["q1"] = new(Options: ["b"]),
        ["q3"] = new(Text: "true"),
    };

    private readonly ManualClock _clock = new(new DateTimeOffset(Start));
    private readonly ContentFolder _content = new();
    private int _cohort;
    private int _enrolment;
    private int _quiz;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LearningSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync(Ct);
        _content.WithDemoCourse()
            .Write("demo/01-basics/quiz.yml", QuizYaml.Good)
            .Write("demo/02-advanced/quiz.yml", QuizYaml.Other);
        await Seed.ImportAsync(_content);
        _cohort = await Seed.CohortAsync(new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.Listed, RequiredQuizSlugs = "basics-quiz" });
        await Seed.UsersAsync("ana", "ben", "cara");
        _enrolment = await Seed.EnrolAsync(_cohort, "ana");
        await Seed.EnrolAsync(_cohort, "cara", EnrolmentStatus.Pending);
        _quiz = await Seed.WithContextAsync(db => db.Quizzes.Where(q => q.Slug == "basics-quiz").Select(q => q.Id).SingleAsync(Ct));
    }

    public ValueTask DisposeAsync()
    {
        _content.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Start_CreatesAttemptOne_WithALayoutOfEveryQuestion()
    {
        var attempt = await StartAsync();

        Assert.Equal((1, _enrolment, _quiz, "ana"), (attempt.Number, attempt.EnrolmentId, attempt.QuizId, attempt.UserId));
        Assert.Equal((Start, (DateTime?)Start + TimeLimit, (DateTime?)null, 6.0), (attempt.StartedAt, attempt.DeadlineAt, attempt.SubmittedAt, attempt.MaxScore));
        var stored = await StoredAsync(1);
        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], stored.Layout.Select(i => i.QuestionId));
        Assert.Equal(["a", "b", "c"], stored.Layout[0].OptionIds);
        Assert.Equal(["a", "b", "c"], stored.Layout[1].OptionIds);
        Assert.All(stored.Layout.Skip(2), i => Assert.Empty(i.OptionIds));
        Assert.Empty(stored.Answers);
    }

    [Fact]
    public async Task Start_Again_ResumesTheOpenAttempt()
    {
        var first = await StartAsync();
        await SaveAsync(new() { ["q1"] = new(Options: ["a"]) });
        _clock.Advance(TimeSpan.FromMinutes(3));

        var again = await StartAsync();

        Assert.Equal((first.Id, 1, Start), (again.Id, again.Number, again.StartedAt));
        Assert.Equal(["q1"], again.Answers.Keys);
        Assert.Equal(1, await AttemptCountAsync());
    }

    [Fact]
    public async Task Save_MergesTheAnswers_QuestionByQuestion()
    {
        await StartAsync();
        await SaveAsync(new() { ["q1"] = new(Options: ["b"]), ["q4"] = new(Text: "Open") });
        _clock.Advance(TimeSpan.FromMinutes(1));

        await SaveAsync(new() { ["q1"] = new(Options: ["a"]), ["q2"] = new(Options: ["a", "c"]) });

        var stored = await StoredAsync(1);
        Assert.Equal(["q1", "q2", "q4"], stored.Answers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a"], stored.Answers["q1"].Options!);
        Assert.Equal(["a", "c"], stored.Answers["q2"].Options!);
        Assert.Equal("Open", stored.Answers["q4"].Text);
        Assert.Equal(Start.AddMinutes(1), stored.LastSavedAt);
        Assert.Null(stored.SubmittedAt);
    }

    [Fact]
    public async Task Save_RefusesAQuestionOfAnotherQuiz_AndSavesNothing()
    {
        await StartAsync();
        await SaveAsync(new() { ["q1"] = new(Options: ["a"]) });
        _clock.Advance(TimeSpan.FromMinutes(1));

        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(() =>
            SaveAsync(new() { ["q3"] = new(Text: "false"), ["other"] = new(Text: "true") }));

        Assert.Equal(AttemptRefusal.UnknownQuestion, refused.Reason);
        var stored = await StoredAsync(1);
        Assert.Equal(["q1"], stored.Answers.Keys);
        Assert.Equal(Start, stored.LastSavedAt);
    }

    [Theory]
    [InlineData("q2", "a,z")]
    [InlineData("q1", "d")]
    [InlineData("q1", "a,b")]
    [InlineData("q3", "a")]
    public async Task Save_RefusesAnOptionTheQuestionDoesNotHave_AndSavesNothing(string question, string options)
    {
        await StartAsync();

        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(() =>
            SaveAsync(new() { ["q4"] = new(Text: "Open Science"), [question] = new(Options: options.Split(',')) }));

        Assert.Equal(AttemptRefusal.InvalidAnswer, refused.Reason);
        Assert.Empty((await StoredAsync(1)).Answers);
    }

    [Fact]
    public async Task Save_RefusesAnAttemptThatWasNeverStarted()
    {
        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(() => SaveAsync(new() { ["q1"] = new(Options: ["a"]) }));

        Assert.Equal(AttemptRefusal.AttemptNotFound, refused.Reason);
    }

    [Fact]
    public async Task Submit_GradesTheSavedAndTheLastAnswers()
    {
        await StartAsync();
        await SaveAsync(new() { ["q1"] = new(Options: ["a"]), ["q2"] = new(Options: ["a"]) });
        _clock.Advance(TimeSpan.FromMinutes(4));

        var submitted = await SubmitAsync(new() { ["q3"] = new(Text: "false"), ["q4"] = new(Text: "Closed Science"), ["q5"] = new(Text: "٠٫٣") });

        // q1 2 + q2 half of 1 + q3 1 + q5 1 = 4.5 of 6.
        Assert.Equal((4.5, 6.0, 75, true), (submitted.Score, submitted.MaxScore, submitted.Percent, submitted.Passed));
        Assert.Equal(Start.AddMinutes(4), submitted.SubmittedAt);
        var stored = await StoredAsync(1);
        Assert.Equal((4.5, 75, true, (DateTime?)Start.AddMinutes(4)), (stored.Score, stored.Percent, stored.Passed, stored.SubmittedAt));
        Assert.Equal(5, stored.Answers.Count);
    }

    [Fact]
    public async Task Submit_Again_ReturnsTheSameAttempt_WithoutGradingItAgain()
    {
        await StartAsync();
        var first = await SubmitAsync(AllWrong);
        _clock.Advance(TimeSpan.FromMinutes(2));

        var second = await SubmitAsync(AllRight);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal((0.0, 0, false, (DateTime?)Start), (second.Score, second.Percent, second.Passed, second.SubmittedAt));
        var stored = await StoredAsync(1);
        Assert.Equal((0.0, 0, false, (DateTime?)Start), (stored.Score, stored.Percent, stored.Passed, stored.SubmittedAt));
        Assert.Equal(["b"], stored.Answers["q1"].Options!);
    }

    [Fact]
    public async Task Save_AfterSubmitting_IsRefused()
    {
        await StartAsync();
        await SubmitAsync(AllWrong);

        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(() => SaveAsync(AllRight));

        Assert.Equal(AttemptRefusal.AttemptClosed, refused.Reason);
        Assert.Equal(["b"], (await StoredAsync(1)).Answers["q1"].Options!);
    }

    [Fact]
    public async Task Start_AfterTheLastAllowedAttempt_IsRefused()
    {
        await StartAsync();
        await SubmitAsync(AllWrong);
        var second = await StartAsync();
        Assert.Equal(2, second.Number);
        await SubmitAsync(AllWrong, number: 2);

        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(StartAsync);

        Assert.Equal(AttemptRefusal.NoAttemptsLeft, refused.Reason);
        Assert.Equal(2, await AttemptCountAsync());
    }

    [Fact]
    public async Task Save_JustInsideTheNetworkGrace_IsAccepted()
    {
        await StartAsync();
        _clock.Advance(TimeLimit + QuizAttemptService.NetworkGrace);

        await SaveAsync(new() { ["q1"] = new(Options: ["a"]) });

        var stored = await StoredAsync(1);
        Assert.Null(stored.SubmittedAt);
        Assert.Equal(["q1"], stored.Answers.Keys);
    }

    [Fact]
    public async Task Save_AfterTheDeadlineAndGrace_IsRefused_AndTheAttemptIsGradedWithTheAnswersSavedBefore()
    {
        await StartAsync();
        await SaveAsync(new() { ["q1"] = new(Options: ["a"]), ["q3"] = new(Text: "false") });
        _clock.Advance(TimeLimit + QuizAttemptService.NetworkGrace + TimeSpan.FromSeconds(1));

        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(() => SaveAsync(new() { ["q5"] = new(Text: "0.3") }));

        Assert.Equal(AttemptRefusal.AttemptClosed, refused.Reason);
        var stored = await StoredAsync(1);
        Assert.Equal(_clock.Now.UtcDateTime, stored.SubmittedAt);
        Assert.Equal((3.0, 50, false), (stored.Score, stored.Percent, stored.Passed));
        Assert.Equal(["q1", "q3"], stored.Answers.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Submit_AfterTheDeadlineAndGrace_GradesOnlyTheAnswersSavedInTime()
    {
        await StartAsync();
        await SaveAsync(new() { ["q1"] = new(Options: ["a"]) });
        _clock.Advance(TimeSpan.FromMinutes(11));

        var submitted = await SubmitAsync(AllRight);

        Assert.Equal((2.0, 33, false), (submitted.Score, submitted.Percent, submitted.Passed));
        Assert.Equal(["q1"], (await StoredAsync(1)).Answers.Keys);
    }

    [Fact]
    public async Task Start_AfterTheDeadline_GradesTheOpenAttempt_AndStartsTheNext()
    {
        await StartAsync();
        await SaveAsync(AllRight);
        _clock.Advance(TimeSpan.FromMinutes(30));

        var next = await StartAsync();

        Assert.Equal(2, next.Number);
        var first = await StoredAsync(1);
        Assert.Equal((6.0, true, (DateTime?)_clock.Now.UtcDateTime), (first.Score, first.Passed, first.SubmittedAt));
    }

    [Theory]
    [InlineData("ben")]
    [InlineData("cara")]
    public async Task Start_IsRefused_WithoutAnActiveEnrolment(string user)
    {
        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(() => WithServiceAsync(s => s.StartAsync(user, _quiz, Ct)));

        Assert.Equal(AttemptRefusal.NotEnrolled, refused.Reason);
        Assert.Equal(0, await AttemptCountAsync());
    }

    [Fact]
    public async Task Start_IsRefused_ForARetiredQuiz()
    {
        _content.Delete("demo/01-basics/quiz.yml");
        await Seed.ImportAsync(_content);

        var refused = await Assert.ThrowsAsync<AttemptRefusedException>(StartAsync);

        Assert.Equal(AttemptRefusal.QuizNotFound, refused.Reason);
    }

    [Fact]
    public async Task Submit_APass_RecordsCompletion_WhenTheRuleAsksOnlyForThatQuiz()
    {
        await StartAsync();

        var submitted = await SubmitAsync(AllRight);

        Assert.True(submitted.Passed);
        await using var db = database.CreateContext();
        var record = await db.CompletionRecords.SingleAsync(Ct);
        Assert.Equal((_enrolment, Start, 1), (record.EnrolmentId, record.CompletedAt, record.RuleVersion));
        Assert.Equal($"CompletionReached:{_enrolment}", (await db.OutboxMessages.SingleAsync(Ct)).Key);
    }

    [Fact]
    public async Task Submit_APass_RecordsCompletion_WhenTheQuizWasTheLastPartMissing()
    {
        await Seed.LessonsDoneAsync("ana", "first", "second", "third", "fourth");
        await StartAsync();

        await SubmitAsync(AllRight);

        await using var db = database.CreateContext();
        Assert.Equal(_enrolment, (await db.CompletionRecords.SingleAsync(Ct)).EnrolmentId);
        Assert.Equal(CompletionService.CompletionReachedKind, (await db.OutboxMessages.SingleAsync(Ct)).Kind);
    }

    [Fact]
    public async Task Submit_AFail_RecordsNoCompletion()
    {
        await StartAsync();

        await SubmitAsync(AllWrong);

        await using var db = database.CreateContext();
        Assert.Equal(0, await db.CompletionRecords.CountAsync(Ct));
        Assert.Equal(0, await db.OutboxMessages.CountAsync(Ct));
    }

    [Fact]
    public async Task SaveAndSubmit_UseTheCurrentEnrolmentsAttempt_WhenAnEarlierCohortHadOneWithTheSameNumber()
    {
        // Ana took the course before, in a cohort she has left: that enrolment has its own attempt 1.
        var earlierCohort = await Seed.CohortAsync(new CompletionRule(), name: "Earlier");
        var earlier = await Seed.EnrolAsync(earlierCohort, "ana", EnrolmentStatus.Withdrawn);
        await Seed.AttemptAsync(earlier, "ana", "basics-quiz", passed: false);
        var current = await StartAsync();
        Assert.Equal((1, _enrolment), (current.Number, current.EnrolmentId));

        await SaveAsync(new() { ["q1"] = new(Options: ["a"]) });
        var submitted = await SubmitAsync(AllRight);

        Assert.Equal((current.Id, true), (submitted.Id, submitted.Passed));
    }

    private Task<QuizAttempt> StartAsync() => WithServiceAsync(s => s.StartAsync("ana", _quiz, Ct));

    private Task<QuizAttempt> SaveAsync(Dictionary<string, QuestionAnswer> answers, int number = 1) =>
        WithServiceAsync(s => s.SaveAsync("ana", _quiz, number, answers, Ct));

    private Task<QuizAttempt> SubmitAsync(Dictionary<string, QuestionAnswer> answers, int number = 1) =>
        WithServiceAsync(s => s.SubmitAsync("ana", _quiz, number, answers, Ct));

    private async Task<T> WithServiceAsync<T>(Func<QuizAttemptService, Task<T>> act)
    {
        await using var db = database.CreateContext();
        return await act(new QuizAttemptService(db, new CompletionService(db, _clock), _clock));
    }

    private Task<QuizAttempt> StoredAsync(int number) =>
        Seed.WithContextAsync(db => db.QuizAttempts.AsNoTracking().SingleAsync(a => a.EnrolmentId == _enrolment && a.QuizId == _quiz && a.Number == number, Ct));

    private Task<int> AttemptCountAsync() => Seed.WithContextAsync(db => db.QuizAttempts.CountAsync(Ct));
}
