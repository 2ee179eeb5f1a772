using System.Security.Cryptography;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Core.Tests.Content;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Core.Tests.Quizzes;

/// <summary>quiz*.yml files read by the content import, into a real SQLite database.</summary>
public sealed class QuizReaderTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private const string QuizFile = "demo/01-basics/quiz.yml";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);
    private readonly ContentFolder _content = new();
    private readonly ManualClock _clock = new(Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync(Ct);
        _content.WithDemoCourse();
    }

    public ValueTask DisposeAsync()
    {
        _content.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Import_StoresAGoodQuiz_WithItsSettings()
    {
        _content.Write(QuizFile, QuizYaml.Good);

        var result = await ImportAsync();

        Assert.False(result.HasErrors, string.Join('\n', result.Issues));
        Assert.Equal(1, result.QuizzesChanged);
        await using var db = database.CreateContext();
        var quiz = await db.Quizzes.SingleAsync(Ct);
        var basics = await db.Modules.SingleAsync(m => m.Slug == "basics", Ct);
        Assert.Equal((basics.CourseId, basics.Id), (quiz.CourseId, quiz.ModuleId));
        Assert.Equal(("basics-quiz", "Basics check", 1), (quiz.Slug, quiz.Title, quiz.Position));
        Assert.Equal((60, 2, (int?)10), (quiz.PassMark, quiz.MaxAttempts, quiz.TimeLimitMinutes));
        Assert.Equal((false, false, ShowAnswers.AfterSubmission), (quiz.ShuffleQuestions, quiz.ShuffleOptions, quiz.ShowAnswers));
        Assert.Null(quiz.RetiredAt);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_content.ReadBytes(QuizFile))), quiz.SourceHash);
    }

    [Fact]
    public async Task Import_StoresEveryKindOfQuestion_WithItsAnswerKey()
    {
        _content.Write(QuizFile, QuizYaml.Good);

        await ImportAsync();

        var definition = (await StoredQuizAsync()).Definition;
        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], definition.Questions.Select(q => q.Id));
        Assert.Equal(
            [QuestionKind.SingleChoice, QuestionKind.MultipleChoice, QuestionKind.TrueFalse, QuestionKind.ShortText, QuestionKind.Numeric],
            definition.Questions.Select(q => q.Kind));
        Assert.Equal([2.0, 1, 1, 1, 1], definition.Questions.Select(q => q.Points));
        Assert.Equal(6, definition.MaxScore);

        var single = definition.Find("q1")!;
        Assert.Contains("<em>one</em>", single.PromptHtml, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c"], single.Options.Select(o => o.Id));
        Assert.Equal(["Right", "Wrong", "Also wrong"], single.Options.Select(o => o.Html));
        Assert.Equal([true, false, false], single.Options.Select(o => o.Correct));
        Assert.Equal("first", single.LessonSlug);

        var multiple = definition.Find("q2")!;
        Assert.Equal(["a", "b", "c"], multiple.Options.Select(o => o.Id));
        Assert.Equal([true, false, true], multiple.Options.Select(o => o.Correct));

        var trueFalse = definition.Find("q3")!;
        Assert.False(trueFalse.TrueFalseAnswer);
        Assert.Contains("<strong>not</strong>", trueFalse.FeedbackHtml, StringComparison.Ordinal);

        Assert.Equal(["Open Science", "Open science recommendation"], definition.Find("q4")!.Accepted!);

        var numeric = definition.Find("q5")!;
        Assert.Equal((0.3, 0.01), (numeric.NumericAnswer, numeric.Tolerance));
    }

    [Fact]
    public async Task Import_GradesTheStoredKey_AsTheFileMeantIt()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        await ImportAsync();
        var quiz = await StoredQuizAsync();
        var right = new Dictionary<string, QuestionAnswer>
        {
            ["q1"] = new(Options: ["a"]),
            ["q2"] = new(Options: ["a", "c"]),
            ["q3"] = new(Text: "false"),
            ["q4"] = new(Text: "open science"),
            ["q5"] = new(Text: "0,3"),
        };

        var grade = QuizGrader.Grade(quiz.Definition, right, quiz.PassMark);

        Assert.Equal((6.0, 6.0, 100, true), (grade.Score, grade.MaxScore, grade.Percent, grade.Passed));
    }

    [Fact]
    public async Task Import_ReportsInvalidYaml_AtItsLine_SkipsTheQuiz_AndLoadsTheLessons()
    {
        _content.Write(QuizFile, "title: Broken\nquestions:\n  - id: q1\n    kind: [single\n    prompt: Pick.\n");

        await AssertSkippedAsync(QuizFile, 4, "invalid YAML", saysSkipped: false);
    }

    [Fact]
    public async Task Import_SaysTheQuizWasSkipped_WhenItsYamlIsInvalid_AsForEveryOtherError()
    {
        _content.Write(QuizFile, "title: Broken\nquestions:\n  - id: q1\n    kind: [single\n    prompt: Pick.\n");

        var result = await ImportAsync();

        Assert.Contains(result.Issues, i => i.File == QuizFile && i.Line == 0 && i.Reason.StartsWith("quiz skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_ReportsAMissingTitle_AtLineOne()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("title: Basics check\n", "pass_mark: 70\n", StringComparison.Ordinal).Replace("pass_mark: 60\n", "", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 1, "missing required field 'title'");
    }

    [Fact]
    public async Task Import_ReportsAnEmptyQuestionList_AtItsLine()
    {
        _content.Write(QuizFile, "title: Empty\npass_mark: 50\nquestions: []\n");

        await AssertSkippedAsync(QuizFile, 3, "a quiz needs a 'questions' list with at least one question");
    }

    [Fact]
    public async Task Import_ReportsAMissingQuestionList_AtLineOne()
    {
        _content.Write(QuizFile, "title: Empty\npass_mark: 50\n");

        await AssertSkippedAsync(QuizFile, 1, "a quiz needs a 'questions' list with at least one question");
    }

    [Fact]
    public async Task Import_ReportsADuplicateQuestionId_AtTheSecondId()
    {
        _content.Write(QuizFile, """
            title: Duplicates
            questions:
              - id: q1
                kind: true_false
                prompt: One?
                answer: true
              - id: q1
                kind: true_false
                prompt: Two?
                answer: false

            """);

        await AssertSkippedAsync(QuizFile, 7, "duplicate question id 'q1' (first used at line 3)");
    }

    [Fact]
    public async Task Import_ReportsAnUnknownKind_AtItsLine()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("kind: numeric", "kind: essay", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 33, "kind 'essay' is not one of single, multiple, true_false, text, numeric");
    }

    [Fact]
    public async Task Import_ReportsASingleChoiceQuestionWithTwoCorrectOptions_AtItsOptions()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("      - text: Wrong\n", "      - text: Wrong\n        correct: true\n", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 9, "question 'q1': a single-choice question has exactly one correct option (it has 2)");
    }

    [Fact]
    public async Task Import_ReportsAMultipleChoiceQuestionWithNoCorrectOption_AtItsOptions()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("{ text: A, correct: true }", "{ text: A }", StringComparison.Ordinal)
            .Replace("{ text: C, correct: true }", "{ text: C }", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 19, "question 'q2': a multiple-choice question has at least one correct option");
    }

    [Fact]
    public async Task Import_ReportsATrueFalseQuestionWithoutAnAnswer_AtTheQuestion()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("    answer: false\n", "", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 23, "question 'q3': a true_false question needs 'answer: true' or 'answer: false'");
    }

    [Fact]
    public async Task Import_ReportsATextQuestionWithoutAcceptedAnswers_AtTheQuestion()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("    accepted: [Open Science, Open science recommendation]\n", "", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 28, "question 'q4': a text question needs an 'accepted' list of answers");
    }

    [Fact]
    public async Task Import_ReportsANumericQuestionWhoseAnswerIsNotANumber_AtTheAnswer()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("answer: 0.3", "answer: about a third", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 35, "field 'answer' must be a number such as 0.25");
    }

    [Fact]
    public async Task Import_ReportsALessonThatDoesNotExist_AtItsLine()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("lesson: first", "lesson: nowhere", StringComparison.Ordinal));

        await AssertSkippedAsync(QuizFile, 14, "lesson 'nowhere' does not exist in this course");
    }

    [Fact]
    public async Task Import_AcceptsALessonOfAnotherModule()
    {
        _content.Write(QuizFile, QuizYaml.Good.Replace("lesson: first", "lesson: fourth", StringComparison.Ordinal));

        var result = await ImportAsync();

        Assert.False(result.HasErrors, string.Join('\n', result.Issues));
        Assert.Equal("fourth", (await StoredQuizAsync()).Definition.Find("q1")!.LessonSlug);
    }

    [Fact]
    public async Task Import_KeepsTheStoredQuiz_WhenItsFileBreaks()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        await ImportAsync();
        var before = await StoredQuizAsync();
        _clock.Advance(TimeSpan.FromDays(1));
        _content.Write(QuizFile, QuizYaml.Good.Replace("kind: numeric", "kind: essay", StringComparison.Ordinal));

        var result = await ImportAsync();

        Assert.True(result.HasErrors);
        Assert.Equal(0, result.QuizzesChanged);
        var after = await StoredQuizAsync();
        Assert.Null(after.RetiredAt);
        Assert.Equal((before.Id, before.Title, before.SourceHash, before.DefinitionJson), (after.Id, after.Title, after.SourceHash, after.DefinitionJson));
    }

    [Fact]
    public async Task Import_KeepsTheStoredQuiz_WhenItsFileIsNoLongerYaml()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        await ImportAsync();
        var before = await StoredQuizAsync();
        _content.Write(QuizFile, "title: Broken\nquestions:\n  - id: q1\n    kind: [single\n");

        var result = await ImportAsync();

        Assert.Equal(0, result.QuizzesChanged);
        var after = await StoredQuizAsync();
        Assert.Null(after.RetiredAt);
        Assert.Equal(before.DefinitionJson, after.DefinitionJson);
    }

    [Fact]
    public async Task Import_KeepsTheStoredQuiz_WhenAFileWithItsOwnSlugBreaks()
    {
        _content.Write(QuizFile, QuizYaml.With(slug: "basics-check"));
        await ImportAsync();
        var before = await StoredQuizAsync();
        Assert.Equal("basics-check", before.Slug);
        _clock.Advance(TimeSpan.FromDays(1));
        _content.Write(QuizFile, QuizYaml.With(slug: "basics-check").Replace("kind: numeric", "kind: essay", StringComparison.Ordinal));

        var result = await ImportAsync();

        Assert.True(result.HasErrors);
        var after = await StoredQuizAsync();
        Assert.True(after.RetiredAt is null, "a quiz whose file has errors must keep its stored version, not be retired");
        Assert.Equal(0, result.QuizzesChanged);
        Assert.Equal(before.DefinitionJson, after.DefinitionJson);
    }

    [Fact]
    public async Task Import_KeepsTheStoredQuiz_WhenItsModuleFileBreaks_AsItKeepsTheLessons()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        await ImportAsync();
        _clock.Advance(TimeSpan.FromDays(1));
        _content.Write("demo/01-basics/module.md", "---\ntitle: [Basics\n---\nSummary.\n");

        var result = await ImportAsync();

        Assert.True(result.HasErrors);
        await using var db = database.CreateContext();
        Assert.Equal(0, await db.Lessons.CountAsync(l => l.RetiredAt != null, Ct));
        Assert.True((await StoredQuizAsync()).RetiredAt is null, "a quiz of a module that could not be read must stay, as its lessons do");
    }

    [Fact]
    public async Task Import_RetiresTheQuiz_WhenItsFileIsRemoved_AndBringsItBack()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        await ImportAsync();
        _clock.Advance(TimeSpan.FromDays(1));
        _content.Delete(QuizFile);

        var removed = await ImportAsync();

        Assert.Equal(1, removed.QuizzesChanged);
        Assert.Equal(_clock.Now.UtcDateTime, (await StoredQuizAsync()).RetiredAt);
        await using (var db = database.CreateContext())
            Assert.Equal(4, await db.Lessons.CountAsync(l => l.RetiredAt == null, Ct));

        _content.Write(QuizFile, QuizYaml.Good);
        var restored = await ImportAsync();

        Assert.Equal(1, restored.QuizzesChanged);
        Assert.Null((await StoredQuizAsync()).RetiredAt);
    }

    [Fact]
    public async Task Import_NamesAFileQuiz2_ModuleQuiz2()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        _content.Write("demo/01-basics/quiz-2.yml", QuizYaml.Other);
        _content.Write("demo/02-advanced/quiz.yml", QuizYaml.Other);

        var result = await ImportAsync();

        Assert.False(result.HasErrors, string.Join('\n', result.Issues));
        Assert.Equal(3, result.QuizzesChanged);
        await using var db = database.CreateContext();
        var quizzes = await db.Quizzes.ToDictionaryAsync(q => q.Slug, Ct);
        Assert.Equal(["advanced-quiz", "basics-quiz", "basics-quiz-2"], quizzes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("Basics check", "Advanced check", "Advanced check"),
            (quizzes["basics-quiz"].Title, quizzes["basics-quiz-2"].Title, quizzes["advanced-quiz"].Title));
        var modules = await db.Modules.ToDictionaryAsync(m => m.Slug, m => m.Id, Ct);
        Assert.Equal((modules["basics"], modules["basics"], modules["advanced"]),
            (quizzes["basics-quiz"].ModuleId, quizzes["basics-quiz-2"].ModuleId, quizzes["advanced-quiz"].ModuleId));
    }

    [Fact]
    public async Task Import_PlacesQuizBeforeQuiz2_AndQuiz2BeforeQuiz10()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        _content.Write("demo/01-basics/quiz-2.yml", QuizYaml.Other);
        _content.Write("demo/01-basics/quiz-10.yml", QuizYaml.Other);
        _content.Write("demo/02-advanced/quiz.yml", QuizYaml.Other);

        await ImportAsync();

        await using var db = database.CreateContext();
        var quizzes = await db.Quizzes.OrderBy(q => q.Position).ToListAsync(Ct);
        Assert.Equal(["basics-quiz", "basics-quiz-2", "basics-quiz-10", "advanced-quiz"], quizzes.Select(q => q.Slug));
        Assert.Equal([1, 2, 3, 4], quizzes.Select(q => q.Position));
    }

    [Fact]
    public async Task Import_IgnoresFilesThatAreNotQuizFiles()
    {
        _content.Write("demo/01-basics/quiz-draft.yml", QuizYaml.Good);
        _content.Write("demo/01-basics/quiz.yaml", QuizYaml.Good);

        await ImportAsync();

        await using var db = database.CreateContext();
        Assert.Equal(0, await db.Quizzes.CountAsync(Ct));
    }

    [Fact]
    public async Task Import_Twice_ChangesNoQuiz_TheSecondTime()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        _content.Write("demo/02-advanced/quiz.yml", QuizYaml.Other);
        await ImportAsync();
        var before = await QuizRowsAsync();
        _clock.Advance(TimeSpan.FromHours(1));

        var second = await ImportAsync();

        Assert.Equal((0, 0), (second.QuizzesChanged, second.CoursesImported));
        Assert.Equal(before, await QuizRowsAsync());
    }

    [Fact]
    public async Task Import_UpdatesAnEditedQuiz_InPlace()
    {
        _content.Write(QuizFile, QuizYaml.Good);
        await ImportAsync();
        var before = await StoredQuizAsync();
        _content.Write(QuizFile, QuizYaml.With(passMark: 80, title: "Basics check, revised"));

        var result = await ImportAsync();

        Assert.Equal(1, result.QuizzesChanged);
        var after = await StoredQuizAsync();
        Assert.Equal((before.Id, "Basics check, revised", 80), (after.Id, after.Title, after.PassMark));
        Assert.NotEqual(before.SourceHash, after.SourceHash);
    }

    private async Task AssertSkippedAsync(string file, int line, string reasonStart, bool saysSkipped = true)
    {
        var result = await ImportAsync();

        Assert.True(
            result.Issues.Any(i => i.File == file && i.Line == line && i.Severity == ContentIssueSeverity.Error
                                   && i.Reason.StartsWith(reasonStart, StringComparison.Ordinal)),
            $"Expected an error at {file}:{line} starting with \"{reasonStart}\"; got:\n{string.Join('\n', result.Issues)}");
        if (saysSkipped)
            Assert.Contains(result.Issues, i => i.File == file && i.Line == 0 && i.Reason.StartsWith("quiz skipped", StringComparison.Ordinal));
        Assert.Equal(0, result.QuizzesChanged);
        await using var db = database.CreateContext();
        Assert.Equal(0, await db.Quizzes.CountAsync(Ct));
        Assert.Equal(["first", "second", "third", "fourth"], await db.Lessons.OrderBy(l => l.Id).Select(l => l.Slug).ToListAsync(Ct));
        Assert.Equal(0, await db.Lessons.CountAsync(l => l.RetiredAt != null, Ct));
    }

    private async Task<ContentImportResult> ImportAsync()
    {
        await using var db = database.CreateContext();
        return await new ContentImporter(db, _clock, NullLogger<ContentImporter>.Instance).ImportAsync(_content.Root, Ct);
    }

    private async Task<Quiz> StoredQuizAsync()
    {
        await using var db = database.CreateContext();
        return await db.Quizzes.AsNoTracking().SingleAsync(Ct);
    }

    private async Task<string> QuizRowsAsync()
    {
        await using var db = database.CreateContext();
        var rows = await db.Quizzes.AsNoTracking().OrderBy(q => q.Id).ToListAsync(Ct);
        return string.Join('\n', rows.Select(q => string.Join('|', q.Id, q.CourseId, q.ModuleId, q.Slug, q.Title, q.Position, q.PassMark,
            q.MaxAttempts, q.TimeLimitMinutes, q.ShuffleQuestions, q.ShuffleOptions, q.ShowAnswers, q.DefinitionJson, q.SourceHash, q.RetiredAt)));
    }
}
