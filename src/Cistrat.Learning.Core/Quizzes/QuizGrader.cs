using System.Globalization;
using System.Text;

namespace Cistrat.Learning.Core.Quizzes;

public sealed record QuestionGrade(string QuestionId, double Earned, double Points)
{
    public bool IsCorrect => Earned >= Points && Points > 0;

    public bool IsPartlyCorrect => Earned > 0 && Earned < Points;
}

public sealed record QuizGrade(double Score, double MaxScore, int Percent, bool Passed, IReadOnlyList<QuestionGrade> Questions);

/// <summary>Grades answers against a quiz's key. Pure: the same answers always get the same grade.</summary>
public static class QuizGrader
{
    public static QuizGrade Grade(QuizDefinition quiz, IReadOnlyDictionary<string, QuestionAnswer> answers, int passMark)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        ArgumentNullException.ThrowIfNull(answers);
        var grades = quiz.Questions
            .Select(q => new QuestionGrade(q.Id, answers.TryGetValue(q.Id, out var a) ? Earned(q, a) * q.Points : 0, q.Points))
            .ToList();
        var score = grades.Sum(g => g.Earned);
        var max = grades.Sum(g => g.Points);
        // Percent rounds down, so "70% to pass" is never met by 69.9%.
        var percent = max <= 0 ? 0 : (int)Math.Floor((100 * score / max) + 1e-9);
        return new QuizGrade(Math.Round(score, 4), max, percent, percent >= passMark, grades);
    }

    /// <summary>The share of a question's points earned, 0 to 1.</summary>
    public static double Earned(QuestionDefinition question, QuestionAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        switch (question.Kind)
        {
            case QuestionKind.SingleChoice:
                return answer.Options is [var only] && question.Options.Any(o => o.Id == only && o.Correct) ? 1 : 0;
            case QuestionKind.MultipleChoice:
            {
                var chosen = (answer.Options ?? []).Distinct().ToHashSet();
                var correct = question.Options.Where(o => o.Correct).Select(o => o.Id).ToHashSet();
                if (correct.Count == 0)
                    return 0;
                var right = chosen.Count(correct.Contains);
                var wrong = chosen.Count(id => !correct.Contains(id));
                // Ticking everything must not pay: each wrong tick cancels a right one.
                return Math.Max(0, (double)(right - wrong) / correct.Count);
            }

            case QuestionKind.TrueFalse:
                return ParseBool(answer.Text) is bool b && b == question.TrueFalseAnswer ? 1 : 0;
            case QuestionKind.ShortText:
            {
                var given = NormalizeText(answer.Text);
                return given.Length > 0 && (question.Accepted ?? []).Any(a => NormalizeText(a) == given) ? 1 : 0;
            }

            case QuestionKind.Numeric:
                return ParseNumber(answer.Text) is double n && question.NumericAnswer is double expected
                       && Math.Abs(n - expected) <= question.Tolerance + 1e-9 ? 1 : 0;
            default:
                return 0;
        }
    }

    /// <summary>Compatibility form (full-width letters, ligatures), trimmed, single-spaced, case-folded.</summary>
    public static string NormalizeText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return "";
        var folded = text.Normalize(NormalizationForm.FormKC).ToUpperInvariant().ToLowerInvariant();
        return string.Join(' ', folded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.', '。', '۔').TrimEnd();
    }

    /// <summary>Accepts "0.3", "0,3" (a decimal comma, as French and Portuguese write it), "1 200", and Arabic-Indic digits.</summary>
    public static double? ParseNumber(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var builder = new StringBuilder();
        foreach (var c in text.Trim())
        {
            if (char.IsDigit(c))
                builder.Append((char)('0' + (int)char.GetNumericValue(c)));
            else if (c is ',' or '.' or '٫')
                builder.Append('.');
            else if (c is '-' or '−')
                builder.Append('-');
            else if (char.IsWhiteSpace(c) || c is '\u00A0' or '\u202F' or '٬' or '%')
                continue;
            else
                return null;
        }

        var s = builder.ToString();
        return s.Count(c => c == '.') <= 1 && double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    public static bool? ParseBool(string? text) => text switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };
}
