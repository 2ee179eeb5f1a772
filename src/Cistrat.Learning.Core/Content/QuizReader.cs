using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Quizzes;
using YamlDotNet.RepresentationModel;

namespace Cistrat.Learning.Core.Content;

internal sealed record QuizSource(
    string File,
    string Slug,
    string Title,
    int Position,
    int PassMark,
    int MaxAttempts,
    int? TimeLimitMinutes,
    bool ShuffleQuestions,
    bool ShuffleOptions,
    ShowAnswers ShowAnswers,
    QuizDefinition Definition,
    IReadOnlyList<(string LessonSlug, int Line)> LessonReferences,
    string SourceHash);

/// <summary>
/// Reads one <c>quiz*.yml</c> file (format in content/README.md). Every problem is reported with its line; a quiz
/// with any error is skipped whole, because a half-read answer key would grade trainees wrongly.
/// </summary>
internal sealed partial class QuizReader(LessonRenderer renderer, IssueLog issues)
{
    private const int TitleMax = 300, IdMax = 40, TextMax = 4000;
    private static readonly string[] QuizFields =
        ["slug", "title", "pass_mark", "attempts", "time_limit_minutes", "shuffle_questions", "shuffle_options", "show_answers", "questions"];
    private static readonly string[] QuestionFields =
        ["id", "kind", "prompt", "options", "feedback", "lesson", "points", "answer", "accepted", "tolerance"];
    private static readonly string[] OptionFields = ["text", "correct"];

    public static bool IsQuizFile(string name) => QuizFileName().IsMatch(name);

    /// <summary>quiz.yml is 1, quiz-2.yml is 2: files are ordered by number, not as text.</summary>
    public static int NumberOf(string name) =>
        QuizFileName().Match(name).Groups[1].Value is { Length: > 0 } n && int.TryParse(n, CultureInfo.InvariantCulture, out var number) ? number : 1;

    /// <summary>The default slug: "&lt;module&gt;-quiz", and "&lt;module&gt;-quiz-2" for quiz-2.yml.</summary>
    public static string DefaultSlug(string moduleSlug, string fileName) =>
        QuizFileName().Match(fileName).Groups[1].Value is { Length: > 0 } n ? $"{moduleSlug}-quiz-{n}" : $"{moduleSlug}-quiz";

    public QuizSource? Read(string file, byte[] bytes, string defaultSlug, int position)
    {
        var before = issues.Items.Count(i => i.Severity == ContentIssueSeverity.Error);
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        if (YamlFields.Parse(text, file, lineOffset: 0, missingFieldLine: 1, issues) is not { } fields)
        {
            issues.Error(file, 0, "quiz skipped: it has errors (a stored earlier version stays in use)");
            return null;
        }
        fields.WarnUnknown(QuizFields);
        var slug = fields.Text("slug", required: false, 100) ?? defaultSlug;
        if (!SlugPattern().IsMatch(slug))
            issues.Error(file, fields.LineOf("slug"), $"invalid quiz slug '{slug}': use lower-case letters, digits and single '-'");
        var title = fields.Text("title", required: true, TitleMax);
        var passMark = fields.Integer("pass_mark", min: 1) ?? 70;
        if (passMark > 100)
            issues.Error(file, fields.LineOf("pass_mark"), "pass_mark is a percentage: at most 100");
        var attempts = fields.Integer("attempts", min: 0) ?? 0;
        var timeLimit = fields.Integer("time_limit_minutes", min: 1);
        var shuffleQuestions = Bool(fields, file, "shuffle_questions") ?? false;
        var shuffleOptions = Bool(fields, file, "shuffle_options") ?? false;
        var showAnswers = fields.Text("show_answers", required: false, 40) switch
        {
            null or "after_submission" => ShowAnswers.AfterSubmission,
            "after_last_attempt" => ShowAnswers.AfterLastAttempt,
            var other => Invalid<ShowAnswers>(fields, file, "show_answers", $"show_answers '{other}' is not after_submission or after_last_attempt"),
        };

        var questions = new List<QuestionDefinition>();
        var references = new List<(string, int)>();
        if (fields.Sequence("questions") is not { } list || list.Children.Count == 0)
        {
            issues.Error(file, fields.LineOf("questions"), "a quiz needs a 'questions' list with at least one question");
        }
        else
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var node in list.Children)
            {
                if (node is not YamlMappingNode map)
                {
                    issues.Error(file, fields.LineOf(node), "each question is a set of 'field: value' lines (id, kind, prompt, ...)");
                    continue;
                }

                if (ReadQuestion(fields.Nested(map), file, ids, references) is { } question)
                    questions.Add(question);
            }
        }

        var failed = issues.Items.Count(i => i.Severity == ContentIssueSeverity.Error) > before;
        if (failed || title is null)
        {
            issues.Error(file, 0, "quiz skipped: it has errors (a stored earlier version stays in use)");
            return null;
        }

        return new QuizSource(file, slug, title, position, passMark, attempts, timeLimit, shuffleQuestions, shuffleOptions, showAnswers,
            new QuizDefinition(questions), references, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private QuestionDefinition? ReadQuestion(YamlFields q, string file, Dictionary<string, int> ids, List<(string, int)> references)
    {
        q.WarnUnknown(QuestionFields);
        var id = q.Text("id", required: true, IdMax);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            issues.Error(file, q.LineOf("id"), $"question id '{id}' may hold only letters, digits, '-' and '_'");
            id = null;
        }
        else if (id is not null && ids.TryGetValue(id, out var first))
        {
            issues.Error(file, q.LineOf("id"), $"duplicate question id '{id}' (first used at line {first})");
            id = null;
        }
        else if (id is not null)
        {
            ids[id] = q.LineOf("id");
        }

        var kindText = q.Text("kind", required: true, 20);
        QuestionKind? kind = kindText switch
        {
            null => null,
            "single" => QuestionKind.SingleChoice,
            "multiple" => QuestionKind.MultipleChoice,
            "true_false" => QuestionKind.TrueFalse,
            "text" => QuestionKind.ShortText,
            "numeric" => QuestionKind.Numeric,
            _ => null,
        };
        if (kindText is not null && kind is null)
            issues.Error(file, q.LineOf("kind"), $"kind '{kindText}' is not one of single, multiple, true_false, text, numeric");
        var prompt = q.Text("prompt", required: true, TextMax);
        var feedback = q.Text("feedback", required: false, TextMax);
        var points = q.Has("points") ? q.PositiveNumber("points", required: false) : 1m;
        var lesson = q.Text("lesson", required: false, 100);
        if (lesson is not null)
            references.Add((lesson, q.LineOf("lesson")));
        if (id is null || kind is null || prompt is null || points is null)
            return null;

        var options = new List<OptionDefinition>();
        bool? truth = null;
        IReadOnlyList<string>? accepted = null;
        double? number = null;
        double tolerance = 0;
        switch (kind)
        {
            case QuestionKind.SingleChoice or QuestionKind.MultipleChoice:
                if (ReadOptions(q, file) is not { } read)
                    return null;
                options = read;
                var correct = options.Count(o => o.Correct);
                if (kind == QuestionKind.SingleChoice && correct != 1)
                    return Fail(file, q.LineOf("options"), $"question '{id}': a single-choice question has exactly one correct option (it has {correct})");
                if (kind == QuestionKind.MultipleChoice && correct == 0)
                    return Fail(file, q.LineOf("options"), $"question '{id}': a multiple-choice question has at least one correct option");
                break;
            case QuestionKind.TrueFalse:
                truth = Bool(q, file, "answer");
                if (truth is null)
                    return Fail(file, q.LineOf("answer"), $"question '{id}': a true_false question needs 'answer: true' or 'answer: false'");
                break;
            case QuestionKind.ShortText:
                accepted = q.TextList("accepted");
                if (accepted is null || accepted.Count == 0)
                    return Fail(file, q.LineOf("accepted"), $"question '{id}': a text question needs an 'accepted' list of answers");
                break;
            case QuestionKind.Numeric:
                number = Number(q, file, "answer", required: true);
                tolerance = Number(q, file, "tolerance", required: false) ?? 0;
                if (number is null || tolerance < 0)
                    return Fail(file, q.LineOf("answer"), $"question '{id}': a numeric question needs a number 'answer' and a tolerance of 0 or more");
                break;
        }

        return new QuestionDefinition(id, kind.Value, renderer.Render(prompt, file, issues).Html, options, (double)points.Value,
            feedback is null ? null : renderer.Render(feedback, file, issues).Html, lesson, truth, accepted, number, tolerance);
    }

    private List<OptionDefinition>? ReadOptions(YamlFields q, string file)
    {
        if (q.Sequence("options") is not { } list || list.Children.Count < 2)
        {
            issues.Error(file, q.LineOf("options"), "a choice question needs an 'options' list of at least two options");
            return null;
        }

        var options = new List<OptionDefinition>();
        foreach (var node in list.Children)
        {
            var letter = OptionId(options.Count);
            switch (node)
            {
                case YamlScalarNode { Value: { Length: > 0 } plain }:
                    options.Add(new OptionDefinition(letter, WebUtility.HtmlEncode(plain.Trim()), false));
                    break;
                case YamlMappingNode map:
                    var option = q.Nested(map);
                    option.WarnUnknown(OptionFields);
                    var text = option.Text("text", required: true, TextMax);
                    var correct = Bool(option, file, "correct") ?? false;
                    if (text is null)
                        return null;
                    options.Add(new OptionDefinition(letter, WebUtility.HtmlEncode(text), correct));
                    break;
                default:
                    issues.Error(file, q.LineOf(node), "an option is a text, or 'text: ...' with 'correct: true'");
                    return null;
            }
        }

        return options;
    }

    private static string OptionId(int index) => ((char)('a' + (index % 26))).ToString() + (index >= 26 ? (index / 26).ToString(CultureInfo.InvariantCulture) : "");

    private bool? Bool(YamlFields fields, string file, string key)
    {
        if (!fields.Has(key))
            return null;
        switch (fields.Text(key, required: false, 10)?.ToLowerInvariant())
        {
            case "true" or "yes":
                return true;
            case "false" or "no":
                return false;
            default:
                issues.Error(file, fields.LineOf(key), $"field '{key}' must be true or false");
                return null;
        }
    }

    private double? Number(YamlFields fields, string file, string key, bool required)
    {
        var text = fields.Text(key, required, 40);
        if (text is null)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            return value;
        issues.Error(file, fields.LineOf(key), $"field '{key}' must be a number such as 0.25");
        return null;
    }

    private T Invalid<T>(YamlFields fields, string file, string key, string reason)
    {
        issues.Error(file, fields.LineOf(key), reason);
        return default!;
    }

    private QuestionDefinition? Fail(string file, int line, string reason)
    {
        issues.Error(file, line, reason);
        return null;
    }

    [GeneratedRegex(@"^quiz(?:-([0-9]+))?\.yml$")]
    private static partial Regex QuizFileName();

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex IdPattern();
}
