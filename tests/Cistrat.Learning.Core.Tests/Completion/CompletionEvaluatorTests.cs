using Cistrat.Learning.Core.Completion;

namespace Cistrat.Learning.Core.Tests.Completion;

public sealed class CompletionEvaluatorTests
{
    private static readonly DateOnly Today = new(2026, 6, 30);

    private static readonly (string Slug, string Title)[] CourseQuizzes =
        [("basics-quiz", "Basics check"), ("data-quiz", "Data check"), ("final-quiz", "Final check")];

    // Lessons

    [Fact]
    public void Lessons_AreMet_OnlyWhenEveryLessonIsDone_ByDefault()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None };

        var short1 = Evaluate(rule, Facts(lessonsDone: 3, lessonsTotal: 4));
        var all = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4));

        Assert.False(short1.IsComplete);
        var part = Part(short1, CompletionPartKind.Lessons);
        Assert.Equal((true, false, 3, 4), (part.Applies, part.Met, part.Done, part.Required));
        Assert.Equal(0.75, part.Progress, precision: 9);
        Assert.True(all.IsComplete);
        Assert.True(Part(all, CompletionPartKind.Lessons).Met);
    }

    [Theory]
    [InlineData(80, 15, 11, false)]
    [InlineData(80, 15, 12, true)]
    [InlineData(33, 10, 3, false)]
    [InlineData(33, 10, 4, true)]
    [InlineData(50, 3, 1, false)]
    [InlineData(50, 3, 2, true)]
    [InlineData(1, 150, 1, false)]
    [InlineData(1, 150, 2, true)]
    [InlineData(100, 7, 6, false)]
    public void Lessons_RoundTheRequiredShareUp(int percent, int total, int done, bool met)
    {
        var rule = new CompletionRule { LessonSharePercent = percent, Quizzes = QuizRequirement.None };

        var report = Evaluate(rule, Facts(lessonsDone: done, lessonsTotal: total));

        Assert.Equal((met, met), (Part(report, CompletionPartKind.Lessons).Met, report.IsComplete));
    }

    [Fact]
    public void Lessons_EightyPercentOfFifteen_Requires12()
    {
        var rule = new CompletionRule { LessonSharePercent = 80, Quizzes = QuizRequirement.None };

        Assert.Equal(12, Part(Evaluate(rule, Facts(lessonsDone: 0, lessonsTotal: 15)), CompletionPartKind.Lessons).Required);
    }

    [Fact]
    public void Lessons_DoneAreCappedAtTheTotal()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None };

        var part = Part(Evaluate(rule, Facts(lessonsDone: 9, lessonsTotal: 4)), CompletionPartKind.Lessons);

        Assert.Equal((4, 4, 1.0), (part.Done, part.Required, part.Progress));
    }

    [Fact]
    public void Lessons_AtZeroPercent_DoNotApply()
    {
        var rule = new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.Listed, RequiredQuizSlugs = "basics-quiz" };

        var report = Evaluate(rule, Facts(lessonsDone: 0, lessonsTotal: 10, passed: ["basics-quiz"]));

        Assert.False(Part(report, CompletionPartKind.Lessons).Applies);
        Assert.True(report.IsComplete);
    }

    // Quizzes

    [Fact]
    public void Quizzes_All_RequireEveryQuizOfTheCourse_AndNameTheOnesNotYetPassed()
    {
        var rule = new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.All };

        var report = Evaluate(rule, Facts(passed: ["data-quiz"]));

        Assert.False(report.IsComplete);
        var part = Part(report, CompletionPartKind.Quizzes);
        Assert.Equal((true, false, 1, 3), (part.Applies, part.Met, part.Done, part.Required));
        Assert.Equal(["Basics check", "Final check"], part.Missing);
        Assert.Equal(1 / 3.0, part.Progress, precision: 9);
    }

    [Fact]
    public void Quizzes_All_AreMet_WhenEveryQuizIsPassed()
    {
        var rule = new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.All };

        var report = Evaluate(rule, Facts(passed: ["basics-quiz", "data-quiz", "final-quiz"]));

        Assert.True(report.IsComplete);
        Assert.Empty(Part(report, CompletionPartKind.Quizzes).Missing);
    }

    [Fact]
    public void Quizzes_All_IgnorePassesOfQuizzesNoLongerInTheCourse()
    {
        var rule = new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.All };

        var part = Part(Evaluate(rule, Facts(passed: ["basics-quiz", "data-quiz", "retired-quiz"])), CompletionPartKind.Quizzes);

        Assert.Equal((false, 2, 3), (part.Met, part.Done, part.Required));
        Assert.Equal(["Final check"], part.Missing);
    }

    [Fact]
    public void Quizzes_Listed_RequireOnlyTheListedQuizzes()
    {
        var rule = new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.Listed, RequiredQuizSlugs = "final-quiz  basics-quiz" };

        var missingOne = Evaluate(rule, Facts(passed: ["basics-quiz", "data-quiz"]));
        var both = Evaluate(rule, Facts(passed: ["basics-quiz", "final-quiz"]));

        var part = Part(missingOne, CompletionPartKind.Quizzes);
        Assert.Equal((false, 1, 2), (part.Met, part.Done, part.Required));
        Assert.Equal(["Final check"], part.Missing);
        Assert.False(missingOne.IsComplete);
        Assert.True(both.IsComplete);
    }

    [Fact]
    public void Quizzes_Listed_IgnoreSlugsThatAreNotInTheCourse()
    {
        var rule = new CompletionRule { LessonSharePercent = 0, Quizzes = QuizRequirement.Listed, RequiredQuizSlugs = "basics-quiz gone-quiz" };

        var part = Part(Evaluate(rule, Facts(passed: ["basics-quiz"])), CompletionPartKind.Quizzes);

        Assert.Equal((true, true, 1, 1), (part.Applies, part.Met, part.Done, part.Required));
    }

    [Fact]
    public void Quizzes_None_DoNotApply_EvenWithNoQuizPassed()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None };

        var report = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4));

        var part = Part(report, CompletionPartKind.Quizzes);
        Assert.Equal((false, true), (part.Applies, part.Met));
        Assert.Empty(part.Missing);
        Assert.True(report.IsComplete);
    }

    // Attendance

    [Fact]
    public void Attendance_NotYetMeasured_IsNotApplicable_AndDoesNotBlock()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None, AttendanceSharePercent = 75 };

        var report = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4, attendance: null));

        var part = Part(report, CompletionPartKind.Attendance);
        Assert.Equal((false, true), (part.Applies, part.Met));
        Assert.True(report.IsComplete);
    }

    [Fact]
    public void Attendance_Off_IsNotApplicable_WhateverWasAttended()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None, AttendanceSharePercent = null };

        var report = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4, attendance: 0.1));

        Assert.False(Part(report, CompletionPartKind.Attendance).Applies);
        Assert.True(report.IsComplete);
    }

    [Theory]
    [InlineData(0.75, true)]
    [InlineData(0.80, true)]
    [InlineData(0.749, false)]
    [InlineData(0.0, false)]
    public void Attendance_WhenMeasured_NeedsTheShare(double attended, bool met)
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None, AttendanceSharePercent = 75 };

        var report = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4, attendance: attended));

        var part = Part(report, CompletionPartKind.Attendance);
        Assert.Equal((true, met, met), (part.Applies, part.Met, report.IsComplete));
    }

    [Theory]
    [InlineData(0.57, 57)]
    [InlineData(0.29, 29)]
    public void Attendance_OfExactlyTheRequiredShare_IsMet_DespiteFloatingPointError(double attended, int percent)
    {
        // 0.57 * 100 is 56.99999999999999 in binary floating point: the trainee attended 57%.
        var rule = new CompletionRule { Quizzes = QuizRequirement.None, AttendanceSharePercent = percent };

        var part = Part(Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4, attendance: attended)), CompletionPartKind.Attendance);

        Assert.Equal((percent, true), (part.Done, part.Met));
    }

    // Final date

    [Fact]
    public void FinalDate_IsMet_UpToAndIncludingTheDay()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.None, FinalDate = Today };

        var report = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4), Today);

        Assert.True(report.IsComplete);
        Assert.True(Part(report, CompletionPartKind.FinalDate).Met);
    }

    [Fact]
    public void FinalDate_Passed_StopsCompletion_EvenWithEverythingElseMet()
    {
        var rule = new CompletionRule { Quizzes = QuizRequirement.All, FinalDate = Today, AttendanceSharePercent = 50 };

        var report = Evaluate(rule, Facts(lessonsDone: 4, lessonsTotal: 4, passed: ["basics-quiz", "data-quiz", "final-quiz"], attendance: 1), Today.AddDays(1));

        Assert.False(report.IsComplete);
        Assert.All(report.Parts.Where(p => p.Kind != CompletionPartKind.FinalDate), p => Assert.True(p.Met));
        var part = Part(report, CompletionPartKind.FinalDate);
        Assert.Equal((true, false), (part.Applies, part.Met));
        Assert.Equal(["2026-06-30"], part.Missing);
    }

    [Fact]
    public void FinalDate_Absent_AddsNoPart()
    {
        var report = Evaluate(new CompletionRule { Quizzes = QuizRequirement.None }, Facts(lessonsDone: 4, lessonsTotal: 4));

        Assert.Equal([CompletionPartKind.Lessons, CompletionPartKind.Quizzes, CompletionPartKind.Attendance], report.Parts.Select(p => p.Kind));
    }

    // Parts combined

    [Fact]
    public void Combined_EveryApplicablePartMustBeMet()
    {
        var rule = new CompletionRule { LessonSharePercent = 80, Quizzes = QuizRequirement.Listed, RequiredQuizSlugs = "final-quiz", AttendanceSharePercent = 60, FinalDate = Today };
        var passed = new[] { "final-quiz" };

        Assert.True(Evaluate(rule, Facts(12, 15, passed, attendance: 0.6)).IsComplete);
        Assert.False(Evaluate(rule, Facts(11, 15, passed, attendance: 0.6)).IsComplete);
        Assert.False(Evaluate(rule, Facts(12, 15, [], attendance: 0.6)).IsComplete);
        Assert.False(Evaluate(rule, Facts(12, 15, passed, attendance: 0.5)).IsComplete);
        Assert.False(Evaluate(rule, Facts(12, 15, passed, attendance: 0.6), Today.AddDays(1)).IsComplete);
    }

    [Fact]
    public void Combined_ReportsEveryPartInAFixedOrder()
    {
        var rule = new CompletionRule { FinalDate = Today };

        var report = Evaluate(rule, Facts(lessonsDone: 1, lessonsTotal: 4));

        Assert.Equal([CompletionPartKind.Lessons, CompletionPartKind.Quizzes, CompletionPartKind.Attendance, CompletionPartKind.FinalDate],
            report.Parts.Select(p => p.Kind));
        Assert.Equal(["Basics check", "Data check", "Final check"], Part(report, CompletionPartKind.Quizzes).Missing);
    }

    // An empty course

    [Fact]
    public void EmptyCourse_HasNothingToMeasure_AndDoesNotDivideByZero()
    {
        var rule = new CompletionRule();

        var report = CompletionEvaluator.Evaluate(rule, new CompletionFacts(0, 0, new HashSet<string>(), [], null), Today);

        var lessons = Part(report, CompletionPartKind.Lessons);
        var quizzes = Part(report, CompletionPartKind.Quizzes);
        Assert.Equal((false, 1.0), (lessons.Applies, lessons.Progress));
        Assert.Equal((false, 1.0), (quizzes.Applies, quizzes.Progress));
    }

    [Fact]
    public void EmptyCourse_IsNotComplete_BecauseNothingWasDone()
    {
        // A completion record is written once and kept, and raises the certificate: a course with no lessons and
        // no quizzes yet (content still being written, or an import gone wrong) must not complete every trainee.
        var report = CompletionEvaluator.Evaluate(new CompletionRule(), new CompletionFacts(0, 0, new HashSet<string>(), [], null), Today);

        Assert.False(report.IsComplete);
    }

    private static CompletionReport Evaluate(CompletionRule rule, CompletionFacts facts, DateOnly? today = null) =>
        CompletionEvaluator.Evaluate(rule, facts, today ?? Today);

    private static CompletionFacts Facts(int lessonsDone = 0, int lessonsTotal = 10, string[]? passed = null, double? attendance = null) =>
        new(lessonsDone, lessonsTotal, (passed ?? []).ToHashSet(), CourseQuizzes, attendance);

    private static CompletionPart Part(CompletionReport report, CompletionPartKind kind) => Assert.Single(report.Parts, p => p.Kind == kind);
}
