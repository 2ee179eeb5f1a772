namespace Cistrat.Learning.Web.Infrastructure.Security;

public static class Policies
{
    public const string Staff = "Staff";
    public const string Coordinator = "Coordinator";
    public const string Admin = "Admin";
    public const string SignInRateLimit = "sign-in";

    /// <summary>Secret calendar feeds: calendar apps poll them, guessers must not.</summary>
    public const string FeedRateLimit = "feeds";
}
