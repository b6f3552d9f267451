package dev.berth.core.api.labels;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.labels.LabelSelector.Operator;
import dev.berth.core.api.labels.LabelSelector.Requirement;

import java.util.ArrayList;
import java.util.List;

/** Recursive-descent parser of the label selector query syntax, with Kubernetes' error texts. */
final class SelectorParser {

    private enum Tok { IDENT, IN, NOT_IN, EQ, DEQ, NEQ, NOT, GT, LT, OPEN, CLOSE, COMMA, END, ERROR }

    private record Token(Tok type, String literal) {}

    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    SelectorParser(String input) {
        lex(input);
    }

    private void lex(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (isSpecial(c)) {
                int j = i;
                while (j < s.length() && isSpecial(s.charAt(j))) {
                    // the longest special run that is still an operator
                    String candidate = s.substring(i, j + 1);
                    if (specialToken(candidate) == null) break;
                    j++;
                }
                if (j == i) j = i + 1;
                String lit = s.substring(i, j);
                Tok t = specialToken(lit);
                tokens.add(new Token(t == null ? Tok.ERROR : t, lit));
                i = j;
            } else {
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && !isSpecial(s.charAt(j))) j++;
                String lit = s.substring(i, j);
                Tok t = switch (lit) {
                    case "in" -> Tok.IN;
                    case "notin" -> Tok.NOT_IN;
                    default -> Tok.IDENT;
                };
                tokens.add(new Token(t, lit));
                i = j;
            }
        }
        tokens.add(new Token(Tok.END, ""));
    }

    private static boolean isSpecial(char c) {
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
    }

    private static Tok specialToken(String lit) {
        return switch (lit) {
            case "=" -> Tok.EQ;
            case "==" -> Tok.DEQ;
            case "!=" -> Tok.NEQ;
            case "!" -> Tok.NOT;
            case ">" -> Tok.GT;
            case "<" -> Tok.LT;
            case "(" -> Tok.OPEN;
            case ")" -> Tok.CLOSE;
            case "," -> Tok.COMMA;
            default -> null;
        };
    }

    private Token peek() { return tokens.get(pos); }

    private Token next() { return tokens.get(pos++); }

    private static ApiException error(String message) {
        return ApiException.badRequest(message);
    }

    List<Requirement> parse() {
        List<Requirement> reqs = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.type) {
                case IDENT, NOT -> {
                    reqs.add(requirement());
                    Token after = next();
                    switch (after.type) {
                        case END -> { return reqs; }
                        case COMMA -> {
                            Token t2 = peek();
                            if (t2.type != Tok.IDENT && t2.type != Tok.NOT) {
                                throw error("found '" + t2.literal + "', expected: identifier after ','");
                            }
                        }
                        default -> throw error("found '" + after.literal + "', expected: ',' or 'end of string'");
                    }
                }
                case END -> { return reqs; }
                default -> throw error("found '" + t.literal + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private Requirement requirement() {
        boolean negated = false;
        if (peek().type == Tok.NOT) {
            next();
            negated = true;
        }
        Token keyTok = next();
        if (keyTok.type != Tok.IDENT) {
            throw error("found '" + keyTok.literal + "', expected: identifier");
        }
        String key = keyTok.literal;
        if (negated) {
            return Requirement.of(key, Operator.DOES_NOT_EXIST, List.of());
        }
        Token t = peek();
        if (t.type == Tok.END || t.type == Tok.COMMA) {
            return Requirement.of(key, Operator.EXISTS, List.of());
        }
        Token opTok = next();
        Operator op = switch (opTok.type) {
            case IN -> Operator.IN;
            case NOT_IN -> Operator.NOT_IN;
            case EQ -> Operator.EQUALS;
            case DEQ -> Operator.DOUBLE_EQUALS;
            case NEQ -> Operator.NOT_EQUALS;
            case GT -> Operator.GREATER_THAN;
            case LT -> Operator.LESS_THAN;
            default -> throw error("found '" + opTok.literal + "', expected: in, notin, =, ==, !=, gt, lt");
        };
        List<String> values = (op == Operator.IN || op == Operator.NOT_IN) ? setValues() : exactValue();
        return Requirement.of(key, op, values);
    }

    private List<String> exactValue() {
        Token t = peek();
        if (t.type == Tok.END || t.type == Tok.COMMA) {
            return List.of("");
        }
        t = next();
        if (t.type == Tok.IDENT || t.type == Tok.IN || t.type == Tok.NOT_IN) {
            return List.of(t.literal);
        }
        throw error("found '" + t.literal + "', expected: identifier");
    }

    private List<String> setValues() {
        Token open = next();
        if (open.type != Tok.OPEN) {
            throw error("found '" + open.literal + "', expected: '('");
        }
        List<String> values = new ArrayList<>();
        if (peek().type == Tok.CLOSE) {
            next();
            values.add("");
            return values;
        }
        while (true) {
            Token v = next();
            switch (v.type) {
                case IDENT, IN, NOT_IN -> values.add(v.literal);
                case COMMA -> {
                    values.add("");
                    pos--;
                }
                default -> throw error("found '" + v.literal + "', expected: ',', ')' or identifier");
            }
            Token sep = next();
            if (sep.type == Tok.CLOSE) return values;
            if (sep.type != Tok.COMMA) {
                throw error("found '" + sep.literal + "', expected: ',' or ')'");
            }
            if (peek().type == Tok.CLOSE) {
                next();
                values.add("");
                return values;
            }
        }
    }
}
