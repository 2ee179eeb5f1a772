using Cistrat.Learning.Core.Quizzes;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Quizzes;

public static class AttemptMessages
{
    public static string For(AttemptRefusal reason, IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return (reason switch
        {
            AttemptRefusal.QuizNotFound => localizer["This quiz does not exist any more."],
            AttemptRefusal.NotEnrolled => localizer["Enrol in a cohort of this course to take its quizzes."],
            AttemptRefusal.NoAttemptsLeft => localizer["You have used all the attempts this quiz allows."],
            AttemptRefusal.AttemptNotFound => localizer["That attempt does not exist."],
            AttemptRefusal.AttemptClosed => localizer["This attempt is closed: it was submitted, or its time ran out. Nothing was changed."],
            AttemptRefusal.UnknownQuestion => localizer["The answers sent do not belong to this quiz. Nothing was saved."],
            AttemptRefusal.InvalidAnswer => localizer["One of the answers sent is not valid for its question. Nothing was saved."],
            _ => localizer["The request was refused."],
        }).Value;
    }
}
