using Cistrat.Learning.Core.Quizzes;

namespace Cistrat.Learning.Core.Tests.Quizzes;

public sealed class QuizGraderTests
{
    private static readonly QuestionDefinition Single = Choice("s", QuestionKind.SingleChoice, correct: "b", options: "abc");

    /// <summary>Four options, two of them (a and c) correct.</summary>
    private static readonly QuestionDefinition Multiple = Choice("m", QuestionKind.MultipleChoice, correct: "ac", options: "abcd");

    private static readonly QuestionDefinition TrueFalse = new("tf", QuestionKind.TrueFalse, "<p>?</p>", [], 1, TrueFalseAnswer: false);

    private static readonly QuestionDefinition Text = new("t", QuestionKind.ShortText, "<p>?</p>", [], 1,
        Accepted: ["Recommendation on Open Science", "UNESCO Recommendation on Open Science"]);

    private static readonly QuestionDefinition Numeric = new("n", QuestionKind.Numeric, "<p>?</p>", [], 1, NumericAnswer: 0.3, Tolerance: 0.01);

    // Single choice

    [Fact]
    public void Single_EarnsAll_ForTheCorrectOption() => Assert.Equal(1, Earned(Single, Options("b")));

    [Fact]
    public void Single_EarnsNothing_ForAWrongOption() => Assert.Equal(0, Earned(Single, Options("a")));

    [Fact]
    public void Single_EarnsNothing_WhenTwoOptionsAreSent_EvenIfOneIsCorrect()
    {
        Assert.Equal(0, Earned(Single, Options("b", "a")));
        Assert.Equal(0, Earned(Single, Options("b", "b")));
    }

    [Fact]
    public void Single_EarnsNothing_WhenNoOptionIsSent()
    {
        Assert.Equal(0, Earned(Single, Options()));
        Assert.Equal(0, Earned(Single, new QuestionAnswer()));
        Assert.Equal(0, Earned(Single, new QuestionAnswer(Text: "b")));
    }

    // Multiple choice: (right - wrong) / correct, never below zero

    [Theory]
    [InlineData("ac", 1.0)]
    [InlineData("a", 0.5)]
    [InlineData("c", 0.5)]
    [InlineData("abc", 0.5)]
    [InlineData("ab", 0.0)]
    [InlineData("b", 0.0)]
    [InlineData("bd", 0.0)]
    [InlineData("", 0.0)]
    public void Multiple_EarnsRightMinusWrong_OverTheCorrectOptions_FlooredAtZero(string ticked, double expected) =>
        Assert.Equal(expected, Earned(Multiple, Options([.. ticked.Select(c => c.ToString())])), precision: 9);

    [Fact]
    public void Multiple_TickingEveryOption_EarnsNothing_WhenHalfAreWrong() =>
        Assert.Equal(0, Earned(Multiple, Options("a", "b", "c", "d")));

    [Fact]
    public void Multiple_TickingEveryOption_EarnsOnlyWhatTheRightTicksOutweigh()
    {
        var threeOfFour = Choice("m3", QuestionKind.MultipleChoice, correct: "abc", options: "abcd");

        Assert.Equal(2 / 3.0, Earned(threeOfFour, Options("a", "b", "c", "d")), precision: 9);
    }

    [Fact]
    public void Multiple_CountsADuplicatedOptionOnce()
    {
        Assert.Equal(0.5, Earned(Multiple, Options("a", "a")), precision: 9);
        Assert.Equal(0, Earned(Multiple, Options("a", "b", "b")), precision: 9);
    }

    [Fact]
    public void Multiple_CountsAnUnknownOptionAsAWrongTick() =>
        Assert.Equal(0.5, Earned(Multiple, Options("a", "c", "zz")), precision: 9);

    [Fact]
    public void Multiple_PartialCredit_IsShownAsPartlyCorrect()
    {
        var quiz = new QuizDefinition([Multiple with { Points = 4 }]);

        var grade = QuizGrader.Grade(quiz, Answers(("m", Options("a"))), passMark: 50);

        var question = Assert.Single(grade.Questions);
        Assert.Equal((2.0, 4.0), (question.Earned, question.Points));
        Assert.True(question.IsPartlyCorrect);
        Assert.False(question.IsCorrect);
        Assert.Equal((50, true), (grade.Percent, grade.Passed));
    }

    // True / false

    [Theory]
    [InlineData("false", 1)]
    [InlineData("true", 0)]
    [InlineData("", 0)]
    [InlineData("maybe", 0)]
    public void TrueFalse_EarnsAll_OnlyForTheKeyedAnswer(string given, double expected) =>
        Assert.Equal(expected, Earned(TrueFalse, new QuestionAnswer(Text: given)));

    [Fact]
    public void TrueFalse_EarnsNothing_WithoutAnAnswer() => Assert.Equal(0, Earned(TrueFalse, new QuestionAnswer()));

    // Short text

    [Theory]
    [InlineData("Recommendation on Open Science")]
    [InlineData("recommendation on open science")]
    [InlineData("RECOMMENDATION ON OPEN SCIENCE")]
    [InlineData("  Recommendation   on\tOpen  Science  ")]
    [InlineData("Recommendation on Open Science.")]
    [InlineData("ＲＥＣＯＭＭＥＮＤＡＴＩＯＮ on Ｏｐｅｎ Science")]
    [InlineData("unesco recommendation on open science")]
    public void Text_MatchesAnAcceptedAnswer_IgnoringCaseSpacesWidthAndAFullStop(string given) =>
        Assert.Equal(1, Earned(Text, new QuestionAnswer(Text: given)));

    [Theory]
    [InlineData("Recommendation on Science")]
    [InlineData("Recommendation on Open Sciences")]
    [InlineData("RecommendationonOpenScience")]
    public void Text_EarnsNothing_ForADifferentAnswer(string given) =>
        Assert.Equal(0, Earned(Text, new QuestionAnswer(Text: given)));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData(null)]
    public void Text_EarnsNothing_ForAnEmptyAnswer(string? given) =>
        Assert.Equal(0, Earned(Text, new QuestionAnswer(Text: given)));

    [Fact]
    public void Text_EarnsNothing_ForAnEmptyAnswer_EvenWhenAnAcceptedAnswerIsOnlyAFullStop()
    {
        var odd = Text with { Accepted = ["."] };

        Assert.Equal(0, Earned(odd, new QuestionAnswer(Text: "")));
    }

    [Theory]
    [InlineData("العلم المفتوح", "العلم المفتوح")]
    [InlineData("العلم المفتوح", "  العلم   المفتوح ")]
    [InlineData("العلم المفتوح", "العلم المفتوح.")]
    [InlineData("开放科学", "开放科学")]
    [InlineData("开放科学", "开放科学。")]
    [InlineData("开放科学", " 开放科学 ")]
    public void Text_MatchesArabicAndChineseAnswers(string accepted, string given)
    {
        var question = Text with { Accepted = [accepted] };

        Assert.Equal(1, Earned(question, new QuestionAnswer(Text: given)));
    }

    [Fact]
    public void Text_DoesNotMatchADifferentArabicOrChineseAnswer()
    {
        Assert.Equal(0, Earned(Text with { Accepted = ["العلم المفتوح"] }, new QuestionAnswer(Text: "البيانات المفتوحة")));
        Assert.Equal(0, Earned(Text with { Accepted = ["开放科学"] }, new QuestionAnswer(Text: "开放数据")));
    }

    [Fact]
    public void Text_MatchesFullWidthDigitsAndLigatures_ThroughNfkc()
    {
        var question = Text with { Accepted = ["office 2021"] };

        Assert.Equal(1, Earned(question, new QuestionAnswer(Text: "Oﬃce ２０２１")));
    }

    [Fact]
    public void Text_IgnoresAFullStopTypedAfterASpace()
    {
        // "Open Science ." differs from an accepted answer only by a space and a full stop, both of which
        // the comparison means to ignore.
        Assert.Equal(1, Earned(Text, new QuestionAnswer(Text: "Recommendation on Open Science .")));
    }

    // Numeric

    [Theory]
    [InlineData("0.3")]
    [InlineData("0.31")]
    [InlineData("0.29")]
    [InlineData(" 0.30 ")]
    [InlineData("0,3")]
    [InlineData("0,31")]
    [InlineData("٠٫٣")]
    [InlineData("٠٫٢٩")]
    [InlineData("0.3%")]
    [InlineData(".3")]
    public void Numeric_AcceptsAnswersWithinTheTolerance_EdgesIncluded(string given) =>
        Assert.Equal(1, Earned(Numeric, new QuestionAnswer(Text: given)));

    [Theory]
    [InlineData("0.311")]
    [InlineData("0.289")]
    [InlineData("0.32")]
    [InlineData("-0.3")]
    [InlineData("3")]
    public void Numeric_RefusesAnswersOutsideTheTolerance(string given) =>
        Assert.Equal(0, Earned(Numeric, new QuestionAnswer(Text: given)));

    [Theory]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("0,3,1")]
    [InlineData("0.3abc")]
    [InlineData("1e-1")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData(null)]
    public void Numeric_EarnsNothing_ForTextThatIsNotANumber(string? given)
    {
        Assert.Null(QuizGrader.ParseNumber(given));
        Assert.Equal(0, Earned(Numeric, new QuestionAnswer(Text: given)));
    }

    [Theory]
    [InlineData("1 200")]
    [InlineData("1200")]
    [InlineData("1\u00A0200")]
    [InlineData("1\u202F200")]
    [InlineData("١٢٠٠")]
    [InlineData("١٬٢٠٠")]
    public void Numeric_ReadsThousandsSeparatedBySpaces_AndArabicIndicDigits(string given)
    {
        var question = Numeric with { NumericAnswer = 1200, Tolerance = 0 };

        Assert.Equal(1200, QuizGrader.ParseNumber(given));
        Assert.Equal(1, Earned(question, new QuestionAnswer(Text: given)));
    }

    [Theory]
    [InlineData("-2.5", -2.5)]
    [InlineData("−2,5", -2.5)]
    [InlineData("0", 0)]
    public void Numeric_ReadsNegativeNumbers_WithEitherMinusSign(string given, double expected) =>
        Assert.Equal(expected, QuizGrader.ParseNumber(given));

    [Fact]
    public void Numeric_WithNoTolerance_NeedsTheExactNumber()
    {
        var exact = Numeric with { NumericAnswer = 42, Tolerance = 0 };

        Assert.Equal(1, Earned(exact, new QuestionAnswer(Text: "42")));
        Assert.Equal(1, Earned(exact, new QuestionAnswer(Text: "42,0")));
        Assert.Equal(0, Earned(exact, new QuestionAnswer(Text: "42.001")));
    }

    // The whole quiz

    [Fact]
    public void Grade_WeightsEachQuestionByItsPoints()
    {
        var quiz = new QuizDefinition([Single with { Points = 3 }, TrueFalse, Numeric with { Points = 2 }]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("b")), ("tf", new QuestionAnswer(Text: "true")), ("n", new QuestionAnswer(Text: "0.3"))), passMark: 80);

        Assert.Equal((5.0, 6.0, 83, true), (grade.Score, grade.MaxScore, grade.Percent, grade.Passed));
        Assert.Equal([3.0, 0.0, 2.0], grade.Questions.Select(q => q.Earned));
        Assert.Equal([true, false, true], grade.Questions.Select(q => q.IsCorrect));
    }

    [Fact]
    public void Grade_RoundsThePercentDown_TwoOfThreeIs66()
    {
        var quiz = new QuizDefinition([Single, TrueFalse, Numeric]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("b")), ("tf", new QuestionAnswer(Text: "false"))), passMark: 67);

        Assert.Equal((2.0, 3.0, 66, false), (grade.Score, grade.MaxScore, grade.Percent, grade.Passed));
    }

    [Fact]
    public void Grade_Fails_At69Point99Percent_WhenThePassMarkIs70()
    {
        var quiz = new QuizDefinition([Single with { Points = 6999 }, TrueFalse with { Points = 3001 }]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("b")), ("tf", new QuestionAnswer(Text: "true"))), passMark: 70);

        Assert.Equal((6999.0, 10000.0, 69, false), (grade.Score, grade.MaxScore, grade.Percent, grade.Passed));
    }

    [Fact]
    public void Grade_Passes_AtExactlyThePassMark()
    {
        var quiz = new QuizDefinition([Single with { Points = 7 }, TrueFalse with { Points = 3 }]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("b"))), passMark: 70);

        Assert.Equal((70, true), (grade.Percent, grade.Passed));
    }

    [Fact]
    public void Grade_IsNotPushedBelowAWholePercent_ByFloatingPointError()
    {
        // 100 * 0.29 is 28.999999999999996 in binary floating point; the trainee earned 29%.
        var quiz = new QuizDefinition([Single with { Points = 0.29 }, TrueFalse with { Points = 0.71 }]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("b"))), passMark: 29);

        Assert.Equal((29, true), (grade.Percent, grade.Passed));
    }

    [Fact]
    public void Grade_ScoresUnansweredQuestionsZero()
    {
        var quiz = new QuizDefinition([Single, Multiple, TrueFalse, Text, Numeric]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("b"))), passMark: 20);

        Assert.Equal(["s", "m", "tf", "t", "n"], grade.Questions.Select(q => q.QuestionId));
        Assert.Equal([1.0, 0, 0, 0, 0], grade.Questions.Select(q => q.Earned));
        Assert.Equal((1.0, 5.0, 20, true), (grade.Score, grade.MaxScore, grade.Percent, grade.Passed));
    }

    [Fact]
    public void Grade_ScoresZero_WhenNothingIsAnswered()
    {
        var quiz = new QuizDefinition([Single, Multiple]);

        var grade = QuizGrader.Grade(quiz, Answers(), passMark: 1);

        Assert.Equal((0.0, 2.0, 0, false), (grade.Score, grade.MaxScore, grade.Percent, grade.Passed));
    }

    [Fact]
    public void Grade_IgnoresAnswersToQuestionsNotInTheQuiz()
    {
        var quiz = new QuizDefinition([Single]);

        var grade = QuizGrader.Grade(quiz, Answers(("s", Options("a")), ("other", Options("b"))), passMark: 50);

        Assert.Equal((0.0, 1.0, 0), (grade.Score, grade.MaxScore, grade.Percent));
        Assert.Single(grade.Questions);
    }

    [Fact]
    public void Grade_IsTheSame_EveryTime()
    {
        var quiz = new QuizDefinition([Single, Multiple, TrueFalse, Text, Numeric]);
        var answers = Answers(("s", Options("b")), ("m", Options("a", "d")), ("t", new QuestionAnswer(Text: "recommendation on open science")));

        var first = QuizGrader.Grade(quiz, answers, passMark: 40);
        var second = QuizGrader.Grade(quiz, answers, passMark: 40);

        Assert.Equal((first.Score, first.Percent, first.Passed), (second.Score, second.Percent, second.Passed));
        Assert.Equal((2.0, 40, true), (first.Score, first.Percent, first.Passed));
    }

    private static double Earned(QuestionDefinition question, QuestionAnswer answer) => QuizGrader.Earned(question, answer);

    private static QuestionAnswer Options(params string[] ids) => new(Options: ids);

    private static Dictionary<string, QuestionAnswer> Answers(params (string Id, QuestionAnswer Answer)[] answers) =>
        answers.ToDictionary(a => a.Id, a => a.Answer);

    private static QuestionDefinition Choice(string id, QuestionKind kind, string correct, string options) =>
        new(id, kind, "<p>?</p>", [.. options.Select(c => new OptionDefinition(c.ToString(), $"Option {c}", correct.Contains(c, StringComparison.Ordinal)))], 1);
}
