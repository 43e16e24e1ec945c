// Lets netstandard2.0 use init-only setters, so the records stay immutable after construction.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
