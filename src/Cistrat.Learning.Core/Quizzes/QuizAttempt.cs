using System.Text.Json;

namespace Cistrat.Learning.Core.Quizzes;

/// <summary>
/// One attempt at a quiz by one enrolment. Answers are saved as the trainee goes, so a dropped connection loses
/// nothing; <see cref="SubmittedAt"/> is set once, and grading happens then.
/// </summary>
public class QuizAttempt
{
    public int Id { get; set; }
    public int QuizId { get; set; }
    public int EnrolmentId { get; set; }
    public required string UserId { get; set; }

    /// <summary>1, 2, 3... within (enrolment, quiz): the unique key that stops a double start making two attempts.</summary>
    public int Number { get; set; }
    public DateTime StartedAt { get; set; }

    /// <summary>Start plus the time limit, when the quiz has one: the server refuses answers after it.</summary>
    public DateTime? DeadlineAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? LastSavedAt { get; set; }
    public double Score { get; set; }
    public double MaxScore { get; set; }
    public int Percent { get; set; }
    public bool Passed { get; set; }

    /// <summary>The question and option order this attempt shows (shuffled once, at start), as JSON.</summary>
    public string LayoutJson { get; set; } = "[]";

    /// <summary>The answers given so far, by question id, as JSON.</summary>
    public string AnswersJson { get; set; } = "{}";

    public bool IsOpen => SubmittedAt is null;

    public IReadOnlyList<LayoutItem> Layout
    {
        get => JsonSerializer.Deserialize<List<LayoutItem>>(LayoutJson, JsonOptions) ?? [];
        set => LayoutJson = JsonSerializer.Serialize(value, JsonOptions);
    }

    public IReadOnlyDictionary<string, QuestionAnswer> Answers
    {
        get => JsonSerializer.Deserialize<Dictionary<string, QuestionAnswer>>(AnswersJson, JsonOptions) ?? [];
        set => AnswersJson = JsonSerializer.Serialize(value, JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

/// <summary>A question as shown in one attempt: its place and the order of its options.</summary>
public sealed record LayoutItem(string QuestionId, IReadOnlyList<string> OptionIds);

/// <summary>What the trainee answered: chosen option ids, or a text (also used for true/false and numbers).</summary>
public sealed record QuestionAnswer(IReadOnlyList<string>? Options = null, string? Text = null);
