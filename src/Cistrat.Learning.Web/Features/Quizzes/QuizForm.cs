using Cistrat.Learning.Core.Quizzes;

namespace Cistrat.Learning.Web.Features.Quizzes;

/// <summary>
/// Reads answers from a posted attempt form. Every question the page showed is named in a "shown" field, so an
/// unticked multiple-choice question reads as "no options chosen" rather than as absent; any other "q.*" field
/// is passed on too, for the service to refuse as not part of the quiz.
/// </summary>
public static class QuizForm
{
    public const string Prefix = "q.";

    public static Dictionary<string, QuestionAnswer> Read(IFormCollection form, QuizDefinition quiz)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(quiz);
        var ids = form["shown"].OfType<string>()
            .Concat(form.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).Select(k => k[Prefix.Length..]))
            .Distinct(StringComparer.Ordinal);
        var answers = new Dictionary<string, QuestionAnswer>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var values = form[Prefix + id].OfType<string>().Where(v => v.Length > 0).ToList();
            answers[id] = quiz.Find(id)?.Kind is QuestionKind.SingleChoice or QuestionKind.MultipleChoice
                ? new QuestionAnswer(Options: values)
                : new QuestionAnswer(Text: values.FirstOrDefault()?.Trim());
        }

        return answers;
    }
}
