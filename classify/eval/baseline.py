#!/usr/bin/python3
"""TF-IDF + logistic-regression baseline for `make eval`.

Usage: baseline.py TRAIN.csv DEV.csv

Both files have the header text,label,lang (written by `vigia train
--holdout --splits DIR`). Trains scikit-learn's defaults on TRAIN: a
TfidfVectorizer over word unigrams and bigrams and one over character
2-5-grams inside word boundaries (char_wb), both with sublinear tf, joined
with a FeatureUnion, and LogisticRegression with default settings (L2,
C=1, no class weights). Prints the macro-F1 on DEV as `macro_f1=<value>`
(and, for two classes, the F1 of class 1 as `f1_1=<value>`).
"""
import csv
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import FeatureUnion


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: baseline.py TRAIN.csv DEV.csv")
    xtr, ytr = read(sys.argv[1])
    xdv, ydv = read(sys.argv[2])
    vec = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
    ])
    clf = LogisticRegression(max_iter=2000)
    clf.fit(vec.fit_transform(xtr), ytr)
    pred = clf.predict(vec.transform(xdv))
    if sorted(set(ytr)) == ["0", "1"]:
        print("f1_1=%.4f" % f1_score(ydv, pred, pos_label="1"))
    print("macro_f1=%.4f" % f1_score(ydv, pred, average="macro"))


if __name__ == "__main__":
    main()
