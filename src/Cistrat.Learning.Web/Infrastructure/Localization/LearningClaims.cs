namespace Cistrat.Learning.Web.Infrastructure.Localization;

/// <summary>Profile facts carried in the sign-in cookie so pages need no user query per request.</summary>
public static class LearningClaims
{
    public const string FullName = "cistrat:name";
    public const string Language = "cistrat:lang";
    public const string TimeZone = "cistrat:tz";
}
