using System.Net;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The demo site as a person uses it: signing in through the real form, finding a lesson from the course page.</summary>
internal static class Site
{
    public const string LoginPath = "/account/login";
    public const string AuthCookie = "cistrat.auth";

    /// <summary>Enrolled in every demo cohort, with some progress, so the lesson page does its full work.</summary>
    public const string TraineeEmail = "trainee2@demo.local";

    public const string CourseSlug = "ai-capacity";

    /// <summary>Signs in through GET and POST of the sign-in form; the auth cookie lands in the client's cookie jar.</summary>
    public static async Task SignInAsync(HttpClient client, CookieContainer cookies, string email, string password, CancellationToken ct)
    {
        var form = await GetPageAsync(client, LoginPath, ct);
        var token = HtmlScan.StartTags(form, "input")
            .FirstOrDefault(a => a.GetValueOrDefault("name") == "__RequestVerificationToken")?.GetValueOrDefault("value")
            ?? throw new BenchmarkException($"No __RequestVerificationToken on {LoginPath}: the sign-in form changed.");

        using var fields = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = token,
        });
        using var response = await client.PostAsync(new Uri(LoginPath, UriKind.Relative), fields, ct);
        var location = response.Headers.Location?.ToString() ?? "";
        if (response.StatusCode != HttpStatusCode.Redirect || location.StartsWith(LoginPath, StringComparison.OrdinalIgnoreCase))
            throw new BenchmarkException($"Sign-in as {email} failed: POST {LoginPath} answered {(int)response.StatusCode} (Location '{location}').");
        if (cookies.GetCookies(client.BaseAddress!)[AuthCookie] is null)
            throw new BenchmarkException($"Sign-in as {email} answered {(int)response.StatusCode} but set no {AuthCookie} cookie.");
    }

    /// <summary>The lesson the course page offers first: "Continue" where there is progress, else the first lesson.</summary>
    public static async Task<string> FindLessonPathAsync(HttpClient signedIn, string courseSlug, CancellationToken ct)
    {
        var prefix = $"/courses/{courseSlug}/lessons/";
        var course = await GetPageAsync(signedIn, $"/courses/{courseSlug}", ct);
        return HtmlScan.StartTags(course, "a")
            .Select(a => a.GetValueOrDefault("href") ?? "")
            .FirstOrDefault(href => href.StartsWith(prefix, StringComparison.Ordinal) && href.Length > prefix.Length)
            ?? throw new BenchmarkException($"/courses/{courseSlug} links to no lesson: is {TraineeEmail} still enrolled?");
    }

    private static async Task<string> GetPageAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new BenchmarkException($"GET {path} answered {(int)response.StatusCode} {response.Headers.Location}.");
        return await response.Content.ReadAsStringAsync(ct);
    }
}
