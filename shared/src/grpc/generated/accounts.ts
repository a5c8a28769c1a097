import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Account as _streamplatform_v1_Account, Account__Output as _streamplatform_v1_Account__Output } from './streamplatform/v1/Account.ts';
import type { AccountServiceClient as _streamplatform_v1_AccountServiceClient, AccountServiceDefinition as _streamplatform_v1_AccountServiceDefinition } from './streamplatform/v1/AccountService.ts';
import type { GetAccountRequest as _streamplatform_v1_GetAccountRequest, GetAccountRequest__Output as _streamplatform_v1_GetAccountRequest__Output } from './streamplatform/v1/GetAccountRequest.ts';
import type { GetMailAddressRequest as _streamplatform_v1_GetMailAddressRequest, GetMailAddressRequest__Output as _streamplatform_v1_GetMailAddressRequest__Output } from './streamplatform/v1/GetMailAddressRequest.ts';
import type { MailAddress as _streamplatform_v1_MailAddress, MailAddress__Output as _streamplatform_v1_MailAddress__Output } from './streamplatform/v1/MailAddress.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  streamplatform: {
    v1: {
      Account: MessageTypeDefinition<_streamplatform_v1_Account, _streamplatform_v1_Account__Output>
      AccountService: SubtypeConstructor<typeof grpc.Client, _streamplatform_v1_AccountServiceClient> & { service: _streamplatform_v1_AccountServiceDefinition }
      GetAccountRequest: MessageTypeDefinition<_streamplatform_v1_GetAccountRequest, _streamplatform_v1_GetAccountRequest__Output>
      GetMailAddressRequest: MessageTypeDefinition<_streamplatform_v1_GetMailAddressRequest, _streamplatform_v1_GetMailAddressRequest__Output>
      MailAddress: MessageTypeDefinition<_streamplatform_v1_MailAddress, _streamplatform_v1_MailAddress__Output>
    }
  }
}

