namespace Cistrat.Learning.Core.Identity;

public static class Roles
{
    public const string Trainee = "Trainee";
    public const string Lecturer = "Lecturer";
    public const string Coordinator = "Coordinator";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Trainee, Lecturer, Coordinator, Admin];

    /// <summary>Roles that may open any course's lessons without an enrolment (to prepare and teach it).</summary>
    public static readonly IReadOnlyList<string> Staff = [Lecturer, Coordinator, Admin];
}
