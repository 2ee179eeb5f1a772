using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cistrat.Learning.Core.Quizzes;

/// <summary>A quiz as imported from <c>content/&lt;course&gt;/&lt;module&gt;/quiz*.yml</c>; the slug (within the course) is its key.</summary>
public class Quiz
{
    public int Id { get; set; }
    public int CourseId { get; set; }
    public int ModuleId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public int Position { get; set; }

    /// <summary>Percent of the points needed to pass, 1 to 100.</summary>
    public int PassMark { get; set; }

    /// <summary>Attempts allowed per enrolment; 0 for no limit.</summary>
    public int MaxAttempts { get; set; }
    public int? TimeLimitMinutes { get; set; }
    public bool ShuffleQuestions { get; set; }
    public bool ShuffleOptions { get; set; }
    public ShowAnswers ShowAnswers { get; set; }

    /// <summary>The questions with their answer keys, as JSON: read on the server only.</summary>
    public string DefinitionJson { get; set; } = "{}";
    public string SourceHash { get; set; } = "";
    public DateTime? RetiredAt { get; set; }

    public QuizDefinition Definition => QuizDefinition.FromJson(DefinitionJson);
}

public enum ShowAnswers
{
    AfterSubmission = 0,
    AfterLastAttempt = 1,
}

public enum QuestionKind
{
    SingleChoice = 0,
    MultipleChoice = 1,
    TrueFalse = 2,
    ShortText = 3,
    Numeric = 4,
}

public sealed record QuizDefinition(IReadOnlyList<QuestionDefinition> Questions)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public double MaxScore => Questions.Sum(q => q.Points);

    public QuestionDefinition? Find(string id) => Questions.FirstOrDefault(q => q.Id == id);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static QuizDefinition FromJson(string json) =>
        JsonSerializer.Deserialize<QuizDefinition>(json, Json) ?? new QuizDefinition([]);
}

public sealed record QuestionDefinition(
    string Id,
    QuestionKind Kind,
    string PromptHtml,
    IReadOnlyList<OptionDefinition> Options,
    double Points,
    string? FeedbackHtml = null,
    string? LessonSlug = null,
    bool? TrueFalseAnswer = null,
    IReadOnlyList<string>? Accepted = null,
    double? NumericAnswer = null,
    double Tolerance = 0);

public sealed record OptionDefinition(string Id, string Html, bool Correct);
