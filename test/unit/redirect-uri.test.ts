import { describe, expect, it } from 'vitest';
import { redirectUriProblem } from '../../src/lib/redirect-uri';

describe('redirectUriProblem', () => {
  it.each([
    'https://app.example.com/callback',
    'http://localhost:3000/cb',
    'http://127.0.0.1:8080/cb?x=1',
    'com.example.app:/oauth2redirect',
    'myapp://callback',
  ])('accepts %s', (uri) => expect(redirectUriProblem(uri)).toBeNull());

  it.each([
    ['/callback', 'must be an absolute URI'],
    ['callback', 'must be an absolute URI'],
    ['', 'must be an absolute URI'],
    ['https://app.example.com/cb#x', 'must not contain a fragment'],
    ['https://app.example.com/cb#', 'must not contain a fragment'],
    ['javascript:alert(1)', 'must not use the javascript: scheme'],
    ['JavaScript:alert(1)', 'must not use the javascript: scheme'],
    ['data:text/html;base64,PHNjcmlwdD4=', 'must not use the data: scheme'],
    ['file:///etc/passwd', 'must not use the file: scheme'],
    ['vbscript:msgbox', 'must not use the vbscript: scheme'],
    [' https://app.example.com/cb', 'must not contain whitespace or control characters'],
    ['https://app.example.com/c\nb', 'must not contain whitespace or control characters'],
  ])('refuses %j: %s', (uri, problem) => expect(redirectUriProblem(uri)).toBe(problem));
});
