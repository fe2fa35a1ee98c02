#!/usr/bin/env python3
"""PyTorch's peer for `hnn bench house-prices`: d2l 1.0's pipeline on the same files: pandas
preprocessing (standardise numeric columns over train and test features, fill NA with 0,
get_dummies(dummy_na=True)), log labels, LinearRegression (weights N(0, 0.01), bias 0), MSE,
minibatch SGD, d2l's contiguous k folds. `--model mlp` runs the exercises' MLP instead (hidden
Linear+ReLU layers, each followed by Dropout when --dropout > 0, PyTorch's default init, Adam by
default), as hnn's `kfold --model mlp` does. Prints a JSON line: {"about", "folds", "average"}.
"""
import argparse
import json


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--model", choices=["linear", "mlp"], default="linear")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--hidden-layers", type=int, default=1)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--optimizer", choices=["sgd", "adam"], default=None)
    p.add_argument("--weight-decay", type=float, default=0.0)
    a = p.parse_args()
    try:
        import pandas as pd
        import torch
        from torch import nn
    except ImportError as e:
        print(json.dumps({"error": f"pandas or torch is not importable ({e})"}))
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    raw_train, raw_test = pd.read_csv(a.train), pd.read_csv(a.test)
    label = "SalePrice"
    features = pd.concat((raw_train.drop(columns=["Id", label]), raw_test.drop(columns=["Id"])))
    # d2l tests dtype != object; pandas 3 reads text as 'str', so ask for numbers directly.
    numeric = features.select_dtypes(include="number").columns
    features[numeric] = features[numeric].apply(lambda x: (x - x.mean()) / (x.std()))
    features[numeric] = features[numeric].fillna(0)
    features = pd.get_dummies(features, dummy_na=True)
    n = raw_train.shape[0]
    X = torch.tensor(features[:n].values.astype("float32"))
    y = torch.log(torch.tensor(raw_train[label].values.astype("float32"))).reshape(-1, 1)
    fold = n // a.k
    results = []
    for j in range(a.k):
        valid = torch.zeros(n, dtype=torch.bool)
        valid[j * fold:(j + 1) * fold] = True
        Xtr, ytr, Xva, yva = X[~valid], y[~valid], X[valid], y[valid]
        if a.model == "linear":
            net = nn.Linear(X.shape[1], 1)
            nn.init.normal_(net.weight, 0, 0.01)
            nn.init.zeros_(net.bias)
        else:
            layers, width = [], X.shape[1]
            for _ in range(a.hidden_layers):
                layers += [nn.Linear(width, a.hidden), nn.ReLU()]
                if a.dropout > 0:
                    layers.append(nn.Dropout(a.dropout))
                width = a.hidden
            net = nn.Sequential(*layers, nn.Linear(width, 1))
        optimizer = a.optimizer or ("adam" if a.model == "mlp" else "sgd")
        make = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
        opt = make(net.parameters(), lr=a.lr, weight_decay=a.weight_decay)
        loss_fn = nn.MSELoss()
        for _ in range(a.epochs):
            net.train()
            order = torch.randperm(Xtr.shape[0])
            for i in range(0, Xtr.shape[0], a.batch_size):
                idx = order[i:i + a.batch_size]
                loss = loss_fn(net(Xtr[idx]), ytr[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        with torch.no_grad():
            results.append({"train": loss_fn(net(Xtr), ytr).item(), "valid": loss_fn(net(Xva), yva).item()})
    average = sum(r["valid"] for r in results) / len(results)
    print(json.dumps({"about": f"torch {torch.__version__}, pandas {pd.__version__}, {features.shape[1]} encoded features",
                      "folds": results, "average": average}))


if __name__ == "__main__":
    main()
